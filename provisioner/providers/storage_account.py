"""storage_account through azure-mgmt-storage: asynchronous create, PATCH for what changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.storage_account import StorageAccountSpec
from provisioner.providers.arm import (
    ArmProvider,
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

_SWITCHES = ("allow_shared_key_access", "allow_blob_public_access")


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
    managed = (*ArmProvider.managed, "sku", "account_kind", "hierarchical_namespace", *_SWITCHES)
    replace_on = frozenset({"location", "account_kind", "hierarchical_namespace"})

    def read(self, ctx: ProviderContext, desired: Desired[StorageAccountSpec]) -> Observed | None:
        key = account_id(ctx.clients.subscription_id, *group_and_name(desired))
        body = ctx.cache.get_or_load(account_cache_key(key), lambda: get_account(ctx, key))
        return None if body is None else _observe(body)

    def create(self, ctx: ProviderContext, desired: Desired[StorageAccountSpec]) -> Observed:
        spec = desired.spec
        body = {
            "location": location_for(ctx, desired),
            "tags": merged_tags(desired),
            "sku": {"name": spec.sku},
            "kind": spec.account_kind,
            "properties": {
                **dict(_switches(spec).values()),
                "isHnsEnabled": spec.hierarchical_namespace,
                "minimumTlsVersion": "TLS1_2",
                "supportsHttpsTrafficOnly": True,
            },
        }
        accounts = ctx.clients.storage.storage_accounts
        return _observe(rest(accounts.begin_create(*group_and_name(desired), body).result()))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[StorageAccountSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        changed = {change.path for change in changes}
        patch: dict[str, Any] = {"tags": merged_tags(desired, observed.attributes.get("tags"))}
        if "sku" in changed:
            patch["sku"] = {"name": desired.spec.sku}
        patch["properties"] = dict(switch for name, switch in _switches(desired.spec).items() if name in changed)
        accounts = ctx.clients.storage.storage_accounts
        return _observe(rest(accounts.update(*group_and_name(desired), patch)))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        accounts = ctx.clients.storage.storage_accounts
        delete_if_present(lambda: accounts.delete(parts["resource_group"], parts["name"]))


def _switches(spec: StorageAccountSpec) -> dict[str, tuple[str, bool]]:
    """The account's access switches (`_SWITCHES`): attribute -> (REST property, wanted value)."""
    return {
        "allow_shared_key_access": ("allowSharedKeyAccess", spec.allow_shared_key_access),
        "allow_blob_public_access": ("allowBlobPublicAccess", spec.allow_blob_public_access),
    }


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
