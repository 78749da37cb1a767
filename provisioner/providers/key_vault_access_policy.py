"""key_vault_access_policy: one object's entry in a vault's access policies, changed incrementally.

Only `accessPolicies/add` and `accessPolicies/remove` are used (never a whole-list replace), so
entries of other objects, and concurrent changes to them, are never overwritten. Permissions
compare as sets, case-insensitively.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.key_vault_access_policy import FAMILIES, KeyVaultAccessPolicySpec
from provisioner.providers.arm import parse_id
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext
from provisioner.providers.key_vault import cached_vault, get_vault

PERMISSIONS = "permissions"
Permissions = dict[str, list[str]]


class KeyVaultAccessPolicyProvider(Provider[KeyVaultAccessPolicySpec]):
    managed = (PERMISSIONS,)
    computed = frozenset({PERMISSIONS})

    def wanted(self, desired: Desired[KeyVaultAccessPolicySpec]) -> Mapping[str, Any]:
        return {PERMISSIONS: desired.spec.permissions()}

    def read(self, ctx: ProviderContext, desired: Desired[KeyVaultAccessPolicySpec]) -> Observed | None:
        vault, object_id = _names(desired)
        entry = _entry(ctx, cached_vault(ctx, vault), object_id)
        return None if entry is None else _observe(vault, object_id, entry)

    def create(self, ctx: ProviderContext, desired: Desired[KeyVaultAccessPolicySpec]) -> Observed:
        vault, object_id = _names(desired)
        current = _entry(ctx, get_vault(ctx, vault), object_id) or _empty()
        return self._sync(ctx, desired, current)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[KeyVaultAccessPolicySpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        return self._sync(ctx, desired, observed.attributes.get(PERMISSIONS) or _empty())

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        vault, _, object_id = azure_id.rpartition("/accessPolicies/")
        entry = _entry(ctx, get_vault(ctx, vault), object_id)
        if entry is not None:
            _change(ctx, vault, object_id, "remove", entry)

    def _sync(self, ctx: ProviderContext, desired: Desired[KeyVaultAccessPolicySpec], current: Permissions) -> Observed:
        vault, object_id = _names(desired)
        wanted = desired.spec.permissions()
        missing = {family: _minus(wanted[family], current.get(family, [])) for family in FAMILIES}
        extra = {family: _minus(current.get(family, []), wanted[family]) for family in FAMILIES}
        if any(missing.values()):
            _change(ctx, vault, object_id, "add", missing)
        if any(extra.values()):
            _change(ctx, vault, object_id, "remove", extra)
        return _observe(vault, object_id, wanted)


def _names(desired: Desired[KeyVaultAccessPolicySpec]) -> tuple[str, str]:
    """The vault's id and the object whose entry this is."""
    return str(desired.spec.vault), str(desired.spec.object_id)


def _empty() -> Permissions:
    return {family: [] for family in FAMILIES}


def _minus(values: list[str], removed: list[str]) -> list[str]:
    gone = {item.lower() for item in removed}
    return [item for item in values if item.lower() not in gone]


def _entry(ctx: ProviderContext, vault: Mapping[str, Any] | None, object_id: str) -> Permissions | None:
    """The permissions of the vault's entry for `object_id` (this tenant, no application), or None."""
    policies = ((vault or {}).get("properties") or {}).get("accessPolicies") or []
    for policy in policies:
        if (
            str(policy.get("objectId", "")).lower() == object_id.lower()
            and str(policy.get("tenantId", "")).lower() == ctx.clients.tenant_id.lower()
            and not policy.get("applicationId")
        ):
            permissions = policy.get("permissions") or {}
            return {family: [str(item) for item in permissions.get(family) or []] for family in FAMILIES}
    return None


def _change(ctx: ProviderContext, vault: str, object_id: str, operation: str, permissions: Permissions) -> None:
    parts = parse_id(vault)
    entry = {"tenantId": ctx.clients.tenant_id, "objectId": object_id, "permissions": permissions}
    body = {"properties": {"accessPolicies": [entry]}}
    ctx.clients.keyvault.vaults.update_access_policy(parts["resource_group"], parts["name"], operation, body)


def _observe(vault: str, object_id: str, permissions: Permissions) -> Observed:
    policy_id = f"{vault}/accessPolicies/{object_id}"
    return Observed(policy_id, {"object_id": object_id, PERMISSIONS: permissions}, {})
