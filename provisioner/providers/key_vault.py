"""key_vault through azure-mgmt-keyvault.

A create never replaces the access policies of a vault that already exists (a PUT would): it adopts
the vault and PATCHes what differs. A vault created in access-policy mode gets one policy for the
principal provision runs as (secret management), as `az keyvault create` does, so that the
scenario's key_vault_secret resources can be written. A vault's GET is shared through the read cache
with its access policies and secrets.

Azure soft-deletes every vault: a deleted vault keeps its name for its retention period. So delete
purges what it deletes (unless purge protection forbids it, which is reported as left behind), and a
create whose name is held by a soft-deleted vault fails with what to do, or recovers the vault when
the scenario says `recover_soft_deleted: true`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.core.exceptions import HttpResponseError

from provisioner.errors import CloudError
from provisioner.kinds.key_vault import KeyVaultSpec
from provisioner.providers.arm import (
    ArmProvider,
    azure_code,
    delete_if_present,
    get_or_none,
    group_and_name,
    location_for,
    merged_tags,
    observed,
    parse_id,
    rest,
    tracked_attributes,
)
from provisioner.providers.base import AttributeChange, Desired, Observed, ProviderContext

OPERATOR_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "recover", "purge"]
CONFLICT = 409
HELD_BY_DELETED_VAULT = "ConflictError"  # Azure's code for a name held by a soft-deleted vault


def vault_id(subscription: str, group: str, name: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{name}"


def get_vault(ctx: ProviderContext, vault: str) -> dict[str, Any] | None:
    """The vault's REST body (fresh), or None."""
    parts = parse_id(vault)
    found = get_or_none(lambda: ctx.clients.keyvault.vaults.get(parts["resource_group"], parts["name"]))
    return None if found is None else rest(found)


def cached_vault(ctx: ProviderContext, vault: str) -> dict[str, Any] | None:
    """The vault's body, read once per plan for the vault, its policies and its secrets."""
    return ctx.cache.get_or_load(("key_vault", vault.lower()), lambda: get_vault(ctx, vault))


class KeyVaultProvider(ArmProvider[KeyVaultSpec]):
    managed = (*ArmProvider.managed, "sku", "rbac_authorization", "purge_protection", "soft_delete_retention_days")
    replace_on = frozenset({"location", "soft_delete_retention_days"})

    def read(self, ctx: ProviderContext, desired: Desired[KeyVaultSpec]) -> Observed | None:
        body = cached_vault(ctx, vault_id(ctx.clients.subscription_id, *group_and_name(desired)))
        return None if body is None else _observe(body)

    def create(self, ctx: ProviderContext, desired: Desired[KeyVaultSpec]) -> Observed:
        existing = get_vault(ctx, vault_id(ctx.clients.subscription_id, *group_and_name(desired)))
        if existing is not None:
            return self._converge(ctx, desired, _observe(existing))
        body = _new_vault(ctx, desired)
        try:
            return _observe(_put(ctx, desired, body))
        except HttpResponseError as error:
            if error.status_code != CONFLICT or azure_code(error) != HELD_BY_DELETED_VAULT:
                raise
            if not desired.spec.recover_soft_deleted:
                raise _held_by_deleted_vault(desired.spec.name) from None
        recover = body | {"properties": body["properties"] | {"createMode": "recover"}}
        return self._converge(ctx, desired, _observe(_put(ctx, desired, recover)))

    def _converge(self, ctx: ProviderContext, desired: Desired[KeyVaultSpec], found: Observed) -> Observed:
        """A vault that was already there (or recovered): change what differs from the scenario."""
        changes = self.diff(desired, found)
        return self.update(ctx, desired, found, changes) if changes else found

    def update(
        self, ctx: ProviderContext, desired: Desired[KeyVaultSpec], observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        spec = desired.spec
        changed = {change.path for change in changes}
        properties: dict[str, Any] = {}
        if "sku" in changed:
            properties["sku"] = {"family": "A", "name": spec.sku}
        if "rbac_authorization" in changed:
            properties["enableRbacAuthorization"] = spec.rbac_authorization
        if "purge_protection" in changed:
            properties["enablePurgeProtection"] = spec.purge_protection
        patch = {"tags": merged_tags(desired, observed.attributes.get("tags")), "properties": properties}
        vaults = ctx.clients.keyvault.vaults
        return _observe(rest(vaults.update(*group_and_name(desired), patch)))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> str | None:
        """Delete, then purge the soft-deleted vault so that its name is free again; a vault with purge
        protection cannot be purged: it is left soft-deleted, and the answer says so."""
        parts = parse_id(azure_id)
        name, location, vaults = parts["name"], str(attributes["location"]), ctx.clients.keyvault.vaults
        delete_if_present(lambda: vaults.delete(parts["resource_group"], name))
        found = get_or_none(lambda: vaults.get_deleted(name, location))
        if found is None:
            return None
        deleted = rest(found).get("properties") or {}
        if deleted.get("purgeProtectionEnabled"):
            return (
                f"soft-deleted with purge protection: Azure keeps the vault, and the name '{name}', until "
                f"{deleted.get('scheduledPurgeDate')} (it cannot be purged sooner; recover it with "
                "`recover_soft_deleted: true` or use another name)"
            )
        delete_if_present(lambda: vaults.begin_purge_deleted(name, location))
        return None


def _new_vault(ctx: ProviderContext, desired: Desired[KeyVaultSpec]) -> dict[str, Any]:
    spec = desired.spec
    properties: dict[str, Any] = {
        "tenantId": ctx.clients.tenant_id,
        "sku": {"family": "A", "name": spec.sku},
        "enableRbacAuthorization": spec.rbac_authorization,
        "softDeleteRetentionInDays": spec.soft_delete_retention_days,
        "accessPolicies": [] if spec.rbac_authorization else [_operator_policy(ctx)],
    }
    if spec.purge_protection:
        properties["enablePurgeProtection"] = True  # Azure accepts only true (it cannot be turned off)
    return {"location": location_for(ctx, desired), "tags": merged_tags(desired), "properties": properties}


def _put(ctx: ProviderContext, desired: Desired[KeyVaultSpec], body: Mapping[str, Any]) -> dict[str, Any]:
    vaults = ctx.clients.keyvault.vaults
    return rest(vaults.begin_create_or_update(*group_and_name(desired), body).result())


def _held_by_deleted_vault(name: str) -> CloudError:
    return CloudError(
        f"409 {HELD_BY_DELETED_VAULT}: the key vault name '{name}' is held by a soft-deleted vault (Azure keeps a "
        "deleted vault, and its name, for its retention period; `provision destroy` purges the vaults it created, "
        f"a vault deleted another way stays). Purge it with `az keyvault purge --name {name}` (impossible while it "
        "has purge protection), set `recover_soft_deleted: true` to recover it with its access policies and "
        "secrets, or choose another name.",
        status=CONFLICT,
        code=HELD_BY_DELETED_VAULT,
    )


def _operator_policy(ctx: ProviderContext) -> dict[str, Any]:
    return {
        "tenantId": ctx.clients.tenant_id,
        "objectId": ctx.clients.principal_id,
        "permissions": {"secrets": OPERATOR_SECRET_PERMISSIONS},
    }


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "sku": (properties.get("sku") or {}).get("name"),
        "rbac_authorization": bool(properties.get("enableRbacAuthorization")),
        "purge_protection": bool(properties.get("enablePurgeProtection")),
        "soft_delete_retention_days": properties.get("softDeleteRetentionInDays"),
    }
    return observed(body, attributes, {"id": body["id"], "name": body["name"], "vault_uri": properties.get("vaultUri")})
