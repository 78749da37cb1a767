"""The deployment state document: what provision made or changed, and how to undo it.

One JSON document per deployment. It never holds a secret value: exported attributes are ids and
names; recorded attributes leave out every sensitive one; generated secrets are only named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from provisioner.errors import StateError

STATE_VERSION = 1


class Status:
    """Where a resource's last step got to. A step writes its intent before it calls Azure."""

    READY = "ready"
    CREATING = "creating"  # create started; the resource may or may not exist (ours if it does)
    UPDATING = "updating"
    DELETING = "deleting"


@dataclass
class ResourceState:
    address: str
    kind: str
    azure_id: str | None = None
    exports: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)  # non-sensitive, what delete needs
    created_by_us: bool = False
    prior: dict[str, Any] = field(default_factory=dict)  # values before provision changed them
    depends_on: list[str] = field(default_factory=list)
    status: str = Status.READY
    secrets_set: list[str] = field(default_factory=list)  # names only, never values

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "azure_id": self.azure_id,
            "status": self.status,
            "created_by_us": self.created_by_us,
            "depends_on": sorted(self.depends_on),
            "exports": self.exports,
            "attributes": self.attributes,
            "prior": self.prior,
            "secrets_set": sorted(self.secrets_set),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceState:
        return cls(
            address=str(data["address"]),
            kind=str(data["kind"]),
            azure_id=data.get("azure_id"),
            exports=dict(data.get("exports", {})),
            attributes=dict(data.get("attributes", {})),
            created_by_us=bool(data.get("created_by_us", False)),
            prior=dict(data.get("prior", {})),
            depends_on=list(data.get("depends_on", [])),
            status=str(data.get("status", Status.READY)),
            secrets_set=list(data.get("secrets_set", [])),
        )


@dataclass
class DeploymentState:
    deployment: str
    scenario: str | None = None
    target: dict[str, str] = field(default_factory=dict)
    serial: int = 0
    updated: str = ""
    resources: dict[str, ResourceState] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "deployment": self.deployment,
            "scenario": self.scenario,
            "target": self.target,
            "serial": self.serial,
            "updated": self.updated,
            "resources": {address: entry.to_json() for address, entry in sorted(self.resources.items())},
            "outputs": self.outputs,
        }

    @classmethod
    def from_json(cls, data: Any, source: str) -> DeploymentState:
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            found = data.get("version") if isinstance(data, dict) else type(data).__name__
            raise StateError(f"{source}: not a provision state document of version {STATE_VERSION} (found {found!r})")
        try:
            return cls(
                deployment=str(data["deployment"]),
                scenario=data.get("scenario"),
                target=dict(data.get("target", {})),
                serial=int(data.get("serial", 0)),
                updated=str(data.get("updated", "")),
                resources={str(k): ResourceState.from_json(v) for k, v in data.get("resources", {}).items()},
                outputs=dict(data.get("outputs", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(f"{source}: malformed state document ({exc})") from None

    def touch(self) -> None:
        self.serial += 1
        self.updated = datetime.now(UTC).isoformat(timespec="seconds")

    def created(self) -> list[ResourceState]:
        """The resources provision created (or started to create), for teardown."""
        return [entry for entry in self.resources.values() if entry.created_by_us]
