"""storage_account through azure-mgmt-storage: asynchronous create, PATCH for what changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.storage_account import StorageAccountSpec
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

_PROPERTIES = {"allow_shared_key_access": "allowSharedKeyAccess", "allow_blob_public_access": "allowBlobPublicAccess"}


def account_cache_key(account_id: str) -> tuple[str, str]:
    """The read cache's key for an account's GET, shared with the containers that need its endpoint."""
    return ("storage_account", account_id.lower())


def account_id(subscription: str, group: str, name: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}"


def get_account(ctx: ProviderContext, account: str) -> dict[str, Any] | None:
    """The account's REST body (fresh, not from the read cache), or None."""
    parts = parse_id(account)
    accounts = ctx.clients.storage.storage_accounts
    found = get_or_none(lambda: accounts.get_properties(parts["resource_group"], parts["name"]))
    return None if found is None else rest(found)


class StorageAccountProvider(ArmProvider[StorageAccountSpec]):
    managed = (*ArmProvider.managed, "sku", "account_kind", "hierarchical_namespace", *_PROPERTIES)
    replace_on = frozenset({"location", "account_kind", "hierarchical_namespace"})

    def read(self, ctx: ProviderContext, desired: Desired[StorageAccountSpec]) -> Observed | None:
        key = account_id(ctx.clients.subscription_id, desired.values["resource_group"], desired.values["name"])
        body = ctx.cache.get_or_load(account_cache_key(key), lambda: get_account(ctx, key))
        return None if body is None else _observe(body)

    def create(self, ctx: ProviderContext, desired: Desired[StorageAccountSpec]) -> Observed:
        values = desired.values
        body = {
            "location": location_for(ctx, desired),
            "tags": merged_tags(desired),
            "sku": {"name": values["sku"]},
            "kind": values["account_kind"],
            "properties": {
                **{rest_name: values[name] for name, rest_name in _PROPERTIES.items()},
                "isHnsEnabled": values["hierarchical_namespace"],
                "minimumTlsVersion": "TLS1_2",
                "supportsHttpsTrafficOnly": True,
            },
        }
        accounts = ctx.clients.storage.storage_accounts
        return _observe(rest(accounts.begin_create(values["resource_group"], values["name"], body).result()))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[StorageAccountSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        values = desired.values
        changed = {change.path for change in changes}
        patch: dict[str, Any] = {"tags": merged_tags(desired, observed.attributes.get("tags"))}
        if "sku" in changed:
            patch["sku"] = {"name": values["sku"]}
        patch["properties"] = {rest_name: values[name] for name, rest_name in _PROPERTIES.items() if name in changed}
        accounts = ctx.clients.storage.storage_accounts
        return _observe(rest(accounts.update(values["resource_group"], values["name"], patch)))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        accounts = ctx.clients.storage.storage_accounts
        delete_if_present(lambda: accounts.delete(parts["resource_group"], parts["name"]))


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "sku": (body.get("sku") or {}).get("name"),
        "account_kind": body.get("kind"),
        # Azure leaves these unset (null) until someone sets them; unset means allowed.
        "allow_shared_key_access": properties.get("allowSharedKeyAccess") is not False,
        "allow_blob_public_access": properties.get("allowBlobPublicAccess") is True,
        "hierarchical_namespace": properties.get("isHnsEnabled") is True,
    }
    endpoint = (properties.get("primaryEndpoints") or {}).get("blob")
    return observed(body, attributes, {"id": body["id"], "name": body["name"], "blob_endpoint": endpoint})
