"""Building `Change` values: masked before/after, attribute changes, and the reason for each action."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from provisioner.kinds import KINDS
from provisioner.plan.model import Action, Change
from provisioner.plan.values import SENSITIVE, json_value, masked
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider
from provisioner.scenario import Resource
from provisioner.state.model import ResourceState, Status


def sensitive_attributes(kind: str, provider: Provider[Any] | None) -> frozenset[str]:
    extra = provider.sensitive if provider is not None else frozenset()
    return KINDS[kind].secrets | extra if kind in KINDS else frozenset(extra)


def shown_desired(desired: Desired[Any], sensitive: Collection[str]) -> dict[str, Any]:
    """The attributes a create would set, as a plan shows them (unset ones left out)."""
    shown = masked({key: value for key, value in desired.values.items() if value not in (None, [], {})}, sensitive)
    shown.update(dict.fromkeys(desired.secrets, SENSITIVE))
    return shown


def shown_change(change: AttributeChange, sensitive: Collection[str]) -> AttributeChange:
    hidden = change.sensitive or change.path.split(".")[0] in sensitive
    return AttributeChange(
        change.path,
        SENSITIVE if hidden and change.before is not None else json_value(change.before),
        SENSITIVE if hidden and change.after is not None else json_value(change.after),
        forces_replacement=change.forces_replacement,
        sensitive=hidden,
    )


def creation(desired: Desired[Any], resource: Resource, provider: Provider[Any], reason: str) -> Change:
    sensitive = sensitive_attributes(resource.kind, provider)
    after = shown_desired(desired, sensitive)
    for name in KINDS[resource.kind].secrets:
        if getattr(resource.spec, name, None) is not None:
            after[name] = SENSITIVE  # generated secrets too: made at apply, never shown
    return Change(Action.CREATE, resource.name, resource.kind, None, after, (), reason)


def unchanged(
    desired: Desired[Any], observed: Observed, provider: Provider[Any], entry: ResourceState | None
) -> Change:
    sensitive = sensitive_attributes(desired.kind, provider)
    before = masked(observed.attributes, sensitive)
    if desired.existing:
        action, reason = Action.READ, "existing resource: read only, nothing to change"
    elif entry is not None and entry.created_by_us:
        action, reason = Action.NO_OP, "up to date: matches the scenario"
        if entry.status == Status.CREATING:
            reason = "exists (its creation was interrupted) and matches the scenario"
    else:
        action = Action.NO_OP
        reason = "already exists and matches the scenario; not created by provision, so destroy will leave it"
    return Change(action, desired.address, desired.kind, before, before, (), reason)


def changed(
    action: Action,
    desired: Desired[Any],
    observed: Observed,
    provider: Provider[Any],
    diffs: list[AttributeChange],
    entry: ResourceState | None,
) -> Change:
    sensitive = sensitive_attributes(desired.kind, provider)
    shown = tuple(shown_change(diff, sensitive) for diff in diffs)
    paths = ", ".join(diff.path for diff in diffs)
    if action is Action.REPLACE:
        forced = ", ".join(diff.path for diff in diffs if diff.forces_replacement)
        reason = f"{forced} cannot change in place"
    elif desired.existing:
        reason = f"existing resource: {paths} set by the scenario; destroy restores the prior values"
    else:
        reason = f"{paths} differ{'s' if len(diffs) == 1 else ''} from the scenario"
        if entry is None or not entry.created_by_us:
            reason += " (not created by provision: destroy restores the prior values)"
    before = masked(observed.attributes, sensitive)
    after = {**before, **{diff.path: diff.after for diff in shown if "." not in diff.path}}
    return Change(action, desired.address, desired.kind, before, after, shown, reason)


def removal(entry: ResourceState) -> Change:
    """A resource in the state but no longer in the scenario."""
    before = masked(entry.attributes, KINDS[entry.kind].secrets if entry.kind in KINDS else ())
    if entry.created_by_us:
        return Change(Action.DELETE, entry.address, entry.kind, before, None, (), "no longer in the scenario")
    if entry.prior:
        return Change(
            Action.UPDATE,
            entry.address,
            entry.kind,
            before,
            {**before, **_json(entry.prior)},
            tuple(AttributeChange(path, before.get(path), json_value(value)) for path, value in entry.prior.items()),
            "no longer in the scenario: restore what provision changed on this existing resource",
        )
    return Change(
        Action.NO_OP,
        entry.address,
        entry.kind,
        before,
        None,
        (),
        "no longer in the scenario; provision did not create it, so it is only forgotten",
    )


def teardown(entry: ResourceState) -> Change:
    """What destroy does with one resource of the state."""
    if entry.created_by_us:
        interrupted = entry.status == Status.CREATING and entry.azure_id is None
        reason = "its creation was interrupted: deleted if it exists" if interrupted else "created by provision"
    elif entry.prior:
        reason = "not created by provision: restore what provision changed on it"
    else:
        reason = "not created by provision: left in place"
    return replace(removal(entry), reason=reason)


def missing_existing(resource: Resource, desired: Desired[Any]) -> str:
    found_by = ", ".join(f"{name}={json_value(desired.values.get(name))!r}" for name in KINDS[resource.kind].lookup)
    return (
        f"{resource.location}: existing resource '{resource.name}' ({resource.kind}) was not found "
        f"({found_by}); `existing: true` means provision only reads it, so create it first or fix the lookup"
    )


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: json_value(value) for key, value in values.items()}
