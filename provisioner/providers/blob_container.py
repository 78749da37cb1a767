"""blob_container through azure-mgmt-storage (`blobServices/default/containers`), PUT for create and update."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.errors import CloudError
from provisioner.kinds.blob_container import BlobContainerSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id, rest
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext
from provisioner.providers.storage_account import account_cache_key, get_account


class BlobContainerProvider(Provider[BlobContainerSpec]):
    managed = ("public_access",)

    def read(self, ctx: ProviderContext, desired: Desired[BlobContainerSpec]) -> Observed | None:
        account = str(desired.spec.storage_account)
        parts = parse_id(account)
        containers = ctx.clients.storage.blob_containers
        name = desired.spec.name
        found = get_or_none(lambda: containers.get(parts["resource_group"], parts["name"], name))
        if found is None:
            return None
        account_body = ctx.cache.get_or_load(account_cache_key(account), lambda: get_account(ctx, account))
        return _observe(rest(found), blob_endpoint(account, account_body))

    def create(self, ctx: ProviderContext, desired: Desired[BlobContainerSpec]) -> Observed:
        return self._put(ctx, desired)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[BlobContainerSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        return self._put(ctx, desired)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        containers = ctx.clients.storage.blob_containers
        delete_if_present(lambda: containers.delete(parts["resource_group"], parts["name"], parts["child_name_2"]))

    def _put(self, ctx: ProviderContext, desired: Desired[BlobContainerSpec]) -> Observed:
        account = str(desired.spec.storage_account)
        parts = parse_id(account)
        body = {"properties": {"publicAccess": desired.spec.public_access}}
        containers = ctx.clients.storage.blob_containers
        created = containers.create(parts["resource_group"], parts["name"], desired.spec.name, body)
        return _observe(rest(created), blob_endpoint(account, get_account(ctx, account)))


def blob_endpoint(account: str, body: Mapping[str, Any] | None) -> str:
    endpoint = ((body or {}).get("properties") or {}).get("primaryEndpoints", {}).get("blob")
    if not endpoint:
        raise CloudError(f"storage account {account} has no blob endpoint", code="NoBlobEndpoint")
    return str(endpoint)


def _observe(body: Mapping[str, Any], endpoint: str) -> Observed:
    public_access = (body.get("properties") or {}).get("publicAccess") or "None"
    exports = {"id": body["id"], "name": body["name"], "url": endpoint.rstrip("/") + "/" + str(body["name"])}
    return Observed(str(body["id"]), {"name": body["name"], "public_access": public_access}, exports)
