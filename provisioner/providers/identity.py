"""The managed-identity block of a VM or web app: `{system_assigned, user_assigned}` in the scenario,
`{"type", "userAssignedIdentities"}` in ARM.

On a resource provision created, the block is what the scenario says. On an `existing` one the
scenario may only add (enable the system identity, attach user-assigned identities); `restore` takes
back exactly that at teardown.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, TypeVar

from provisioner.kinds.base import ManagedIdentity
from provisioner.kinds.virtual_machine import VirtualMachineSpec
from provisioner.kinds.web_app import WebAppSpec
from provisioner.providers.arm import ArmProvider, get_or_none, parse_id, rest
from provisioner.providers.base import AttributeChange, Desired, Observed, ProviderContext, normalise

H = TypeVar("H", bound=VirtualMachineSpec | WebAppSpec)  # a resource with managed identities

IDENTITY = "identity"
PRINCIPAL_EXPORT = "identity.principal_id"
TENANT_EXPORT = "identity.tenant_id"


def identity_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's view of a resource's ARM identity block."""
    block = body.get("identity") or {}
    kind = str(block.get("type") or "None").replace(" ", "").lower()
    return {
        "system_assigned": "systemassigned" in kind,
        "user_assigned": list((block.get("userAssignedIdentities") or {}).keys()),
    }


def requested(identity: ManagedIdentity) -> dict[str, Any]:
    """The scenario's identity in the shape of `identity_of`."""
    return {
        "system_assigned": identity.system_assigned,
        "user_assigned": [str(user) for user in identity.user_assigned],
    }


def identity_exports(body: Mapping[str, Any]) -> dict[str, Any]:
    """The system identity's principal and tenant (absent while it is disabled)."""
    block = body.get("identity") or {}
    if not identity_of(body)["system_assigned"] or not block.get("principalId"):
        return {}
    return {PRINCIPAL_EXPORT: block["principalId"], TENANT_EXPORT: block.get("tenantId")}


def identity_block(identity: Mapping[str, Any], live: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ARM block for a wanted identity. User-assigned identities attached now (`live`) but not
    wanted are sent as null: a PATCH merges `userAssignedIdentities`, and null removes an entry."""
    users = list(identity.get("user_assigned") or [])
    system = bool(identity.get("system_assigned"))
    kinds = [name for name, on in (("SystemAssigned", system), ("UserAssigned", bool(users))) if on]
    block: dict[str, Any] = {"type": ", ".join(kinds) or "None"}
    if users:
        wanted = {user.lower() for user in users}
        dropped = [user for user in (live or {}).get("user_assigned") or [] if user.lower() not in wanted]
        block["userAssignedIdentities"] = {**dict.fromkeys(dropped), **{user: {} for user in users}}
    return block


def with_additions(live: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The live identity plus what the scenario adds (for an `existing` resource)."""
    users = list(live.get("user_assigned") or [])
    known = {user.lower() for user in users}
    users += [user for user in wanted.get("user_assigned") or [] if user.lower() not in known]
    return {
        "system_assigned": bool(live.get("system_assigned") or wanted.get("system_assigned")),
        "user_assigned": users,
    }


def additions_diff(wanted: ManagedIdentity, observed: Observed) -> list[AttributeChange]:
    """For an `existing` resource: a change when the scenario adds to its identity."""
    live = observed.attributes.get(IDENTITY) or {"system_assigned": False, "user_assigned": []}
    after = with_additions(live, requested(wanted))
    return [] if normalise(after) == normalise(live) else [AttributeChange(IDENTITY, live, after)]


def restored(live: Mapping[str, Any], prior: Mapping[str, Any]) -> dict[str, Any]:
    """Take back what provision added: the system identity if it was off, user-assigned ones it attached."""
    before = {user.lower() for user in prior.get("user_assigned") or []}
    return {
        "system_assigned": bool(live.get("system_assigned")) and bool(prior.get("system_assigned")),
        "user_assigned": [user for user in live.get("user_assigned") or [] if user.lower() in before],
    }


class IdentityHolder(ArmProvider[H]):
    """A VM or web app: on an `existing` one, only additions to its identity are changes, and
    `restore` takes them back with a PATCH of the identity block alone."""

    @abstractmethod
    def fetch(self, ctx: ProviderContext, group: str, name: str) -> Any:
        """The SDK's GET of the resource (404 raises)."""

    @abstractmethod
    def patch(self, ctx: ProviderContext, group: str, name: str, body: dict[str, Any]) -> Any:
        """The SDK's PATCH of the resource, waited for; its result."""

    def diff(self, desired: Desired[H], observed: Observed) -> list[AttributeChange]:
        if desired.existing:
            return additions_diff(desired.spec.identity, observed)
        return super().diff(desired, observed)

    def restore(self, ctx: ProviderContext, observed: Observed, prior: Mapping[str, Any]) -> None:
        parts = parse_id(observed.azure_id)
        group, name = parts["resource_group"], parts["name"]
        found = get_or_none(lambda: self.fetch(ctx, group, name))
        if found is None or IDENTITY not in prior:
            return
        current = identity_of(rest(found))
        wanted = restored(current, prior[IDENTITY])
        if wanted != current:
            self.patch(ctx, group, name, {"identity": identity_block(wanted, current)})
