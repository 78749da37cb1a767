"""key_vault through azure-mgmt-keyvault.

A create never replaces the access policies of a vault that already exists (a PUT would): it adopts
the vault and PATCHes what differs. A vault created in access-policy mode gets one policy for the
principal provision runs as (secret management), as `az keyvault create` does, so that the
scenario's key_vault_secret resources can be written. A vault's GET is shared through the read cache
with its access policies and secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.providers.arm import (
    ArmProvider,
    delete_if_present,
    get_or_none,
    location_for,
    merged_tags,
    observed,
    parse_id,
    rest,
    tracked_attributes,
)
from provisioner.providers.base import AttributeChange, Desired, Observed, ProviderContext

OPERATOR_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "recover", "purge"]


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


class KeyVaultProvider(ArmProvider):
    kind = "key_vault"
    managed = (*ArmProvider.managed, "sku", "rbac_authorization", "purge_protection", "soft_delete_retention_days")
    replace_on = frozenset({"location", "soft_delete_retention_days"})

    def read(self, ctx: ProviderContext, desired: Desired) -> Observed | None:
        body = cached_vault(ctx, vault_id(ctx.clients.subscription_id, **_names(desired)))
        return None if body is None else _observe(body)

    def create(self, ctx: ProviderContext, desired: Desired) -> Observed:
        existing = get_vault(ctx, vault_id(ctx.clients.subscription_id, **_names(desired)))
        if existing is not None:
            found = _observe(existing)
            changes = self.diff(desired, found)
            return self.update(ctx, desired, found, changes) if changes else found
        values = desired.values
        properties: dict[str, Any] = {
            "tenantId": ctx.clients.tenant_id,
            "sku": {"family": "A", "name": values["sku"]},
            "enableRbacAuthorization": values["rbac_authorization"],
            "softDeleteRetentionInDays": values["soft_delete_retention_days"],
            "accessPolicies": [] if values["rbac_authorization"] else [_operator_policy(ctx)],
        }
        if values["purge_protection"]:
            properties["enablePurgeProtection"] = True  # Azure accepts only true (it cannot be turned off)
        body = {"location": location_for(ctx, desired), "tags": merged_tags(desired), "properties": properties}
        vaults = ctx.clients.keyvault.vaults
        return _observe(rest(vaults.begin_create_or_update(values["resource_group"], values["name"], body).result()))

    def update(
        self, ctx: ProviderContext, desired: Desired, observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        values = desired.values
        changed = {change.path for change in changes}
        properties: dict[str, Any] = {}
        if "sku" in changed:
            properties["sku"] = {"family": "A", "name": values["sku"]}
        if "rbac_authorization" in changed:
            properties["enableRbacAuthorization"] = values["rbac_authorization"]
        if "purge_protection" in changed:
            properties["enablePurgeProtection"] = values["purge_protection"]
        patch = {"tags": merged_tags(desired, observed.attributes.get("tags")), "properties": properties}
        vaults = ctx.clients.keyvault.vaults
        return _observe(rest(vaults.update(values["resource_group"], values["name"], patch)))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        vaults = ctx.clients.keyvault.vaults
        delete_if_present(lambda: vaults.delete(parts["resource_group"], parts["name"]))


def _names(desired: Desired) -> dict[str, str]:
    return {"group": str(desired.values["resource_group"]), "name": str(desired.values["name"])}


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
