"""sql_database through azure-mgmt-sql: PUT (asynchronous) to create and to change the service objective."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.sql_database import SqlDatabaseSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id, rest, tracked_attributes
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext


class SqlDatabaseProvider(Provider[SqlDatabaseSpec]):
    managed = ("sku",)

    def read(self, ctx: ProviderContext, desired: Desired[SqlDatabaseSpec]) -> Observed | None:
        server = parse_id(str(desired.spec.server))
        databases = ctx.clients.sql.databases
        name = desired.spec.name
        found = get_or_none(lambda: databases.get(server["resource_group"], server["name"], name))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[SqlDatabaseSpec]) -> Observed:
        server = parse_id(str(desired.spec.server))
        location = ctx.clients.sql.servers.get(server["resource_group"], server["name"]).location
        return self._put(ctx, desired, location, None)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[SqlDatabaseSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        return self._put(ctx, desired, observed.attributes["location"], observed.attributes.get("tags"))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        databases = ctx.clients.sql.databases
        delete_if_present(lambda: databases.begin_delete(parts["resource_group"], parts["name"], parts["child_name_1"]))

    def _put(
        self,
        ctx: ProviderContext,
        desired: Desired[SqlDatabaseSpec],
        location: str,
        live_tags: Mapping[str, str] | None,
    ) -> Observed:
        server = parse_id(str(desired.spec.server))
        tags = {**(live_tags or {}), **desired.tags}  # a database's spec sets no tags: the deployment's win
        body = {"location": location, "tags": tags, "sku": {"name": desired.spec.sku}}
        databases = ctx.clients.sql.databases
        poller = databases.begin_create_or_update(server["resource_group"], server["name"], desired.spec.name, body)
        return _observe(rest(poller.result()))


def _observe(body: Mapping[str, Any]) -> Observed:
    attributes = {"name": body["name"], **tracked_attributes(body), "sku": (body.get("sku") or {}).get("name")}
    return Observed(str(body["id"]), attributes, {"id": body["id"], "name": body["name"]})
