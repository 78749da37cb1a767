"""postgres_database through azure-mgmt-postgresqlflexibleservers: PUT (asynchronous) to create; its
charset and collation cannot change (a change replaces the database)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.mgmt.postgresqlflexibleservers import models

from provisioner.kinds.postgres_database import PostgresDatabaseSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id, rest
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext


class PostgresDatabaseProvider(Provider[PostgresDatabaseSpec]):
    managed = ("charset", "collation")
    replace_on = frozenset({"charset", "collation"})

    def read(self, ctx: ProviderContext, desired: Desired[PostgresDatabaseSpec]) -> Observed | None:
        server = parse_id(str(desired.spec.server))
        databases = ctx.clients.postgres.databases
        name = desired.spec.name
        found = get_or_none(lambda: databases.get(server["resource_group"], server["name"], name))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[PostgresDatabaseSpec]) -> Observed:
        server = parse_id(str(desired.spec.server))
        body = models.Database(
            properties=models.DatabaseProperties(charset=desired.spec.charset, collation=desired.spec.collation)
        )
        databases = ctx.clients.postgres.databases
        poller = databases.begin_create(server["resource_group"], server["name"], desired.spec.name, body)
        return _observe(rest(poller.result()))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[PostgresDatabaseSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        return observed  # every managed attribute forces a replacement

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        databases = ctx.clients.postgres.databases
        delete_if_present(lambda: databases.begin_delete(parts["resource_group"], parts["name"], parts["child_name_1"]))


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {"name": body["name"], "charset": properties.get("charset"), "collation": properties.get("collation")}
    return Observed(str(body["id"]), attributes, {"id": body["id"], "name": body["name"]})
