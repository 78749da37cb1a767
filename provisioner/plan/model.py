"""The plan as a value: what would change, per resource and per attribute, and why nothing else does.

`Change` and `Plan` hold only JSON data (secrets already masked as "(sensitive)", values not known
before apply as "(known after apply)"), so a plan can be rendered, saved and compared without the
cloud. `apply` re-reads nothing from a Plan but its identity (scenario hash, observed fingerprint)
and the actions it promised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from provisioner.errors import PlanError
from provisioner.providers.base import AttributeChange

FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NO_OP = "no-op"
    READ = "read"

    @property
    def writes(self) -> bool:
        """True for actions that change the cloud."""
        return self not in (Action.NO_OP, Action.READ)


@dataclass(frozen=True)
class Change:
    """The planned action for one resource, with attribute-level before and after."""

    action: Action
    address: str
    kind: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    changes: tuple[AttributeChange, ...] = ()
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "address": self.address,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "changes": [_change_json(change) for change in self.changes],
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(
            action=Action(data["action"]),
            address=str(data["address"]),
            kind=str(data["kind"]),
            before=data.get("before"),
            after=data.get("after"),
            changes=tuple(AttributeChange(**change) for change in data.get("changes", [])),
            reason=str(data.get("reason", "")),
        )


def _change_json(change: AttributeChange) -> dict[str, Any]:
    return {
        "path": change.path,
        "before": change.before,
        "after": change.after,
        "forces_replacement": change.forces_replacement,
        "sensitive": change.sensitive,
    }


@dataclass(frozen=True)
class Summary:
    add: int
    change: int
    destroy: int

    @property
    def any(self) -> bool:
        return bool(self.add or self.change or self.destroy)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    scenario_name: str
    scenario_hash: str
    deployment: str
    target: Mapping[str, str]  # name, description, tenant_id, subscription_id
    observed_fingerprint: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> Summary:
        actions = [change.action for change in self.changes]
        replaced = actions.count(Action.REPLACE)
        return Summary(
            add=actions.count(Action.CREATE) + replaced,
            change=actions.count(Action.UPDATE),
            destroy=actions.count(Action.DELETE) + replaced,
        )

    @property
    def has_changes(self) -> bool:
        return any(change.action.writes for change in self.changes)

    def change_for(self, address: str) -> Change | None:
        return next((change for change in self.changes if change.address == address), None)

    def to_json(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "format_version": FORMAT_VERSION,
            "scenario": {"name": self.scenario_name, "hash": self.scenario_hash},
            "deployment": self.deployment,
            "target": dict(self.target),
            "observed_fingerprint": self.observed_fingerprint,
            "changes": [change.to_json() for change in self.changes],
            "summary": {"add": summary.add, "change": summary.change, "destroy": summary.destroy},
            **({"extra": dict(self.extra)} if self.extra else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise PlanError(f"unsupported plan format {data.get('format_version')!r} (expected {FORMAT_VERSION})")
        try:
            return cls(
                changes=tuple(Change.from_json(change) for change in data["changes"]),
                scenario_name=str(data["scenario"]["name"]),
                scenario_hash=str(data["scenario"]["hash"]),
                deployment=str(data["deployment"]),
                target={str(key): str(value) for key, value in data["target"].items()},
                observed_fingerprint=str(data["observed_fingerprint"]),
                extra=dict(data.get("extra", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PlanError(f"not a plan document: {exc}") from None
