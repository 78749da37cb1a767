"""mysql_database through azure-mgmt-mysqlflexibleservers: PUT (asynchronous) to create or change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.mgmt.mysqlflexibleservers import models

from provisioner.kinds.mysql_database import MySqlDatabaseSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id, rest
from provisioner.providers.base import Desired, Observed, Provider, ProviderContext


class MySqlDatabaseProvider(Provider[MySqlDatabaseSpec]):
    managed = ("charset", "collation")

    def read(self, ctx: ProviderContext, desired: Desired[MySqlDatabaseSpec]) -> Observed | None:
        server = parse_id(str(desired.spec.server))
        databases = ctx.clients.mysql.databases
        found = get_or_none(lambda: databases.get(server["resource_group"], server["name"], desired.spec.name))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[MySqlDatabaseSpec]) -> Observed:
        server = parse_id(str(desired.spec.server))
        body = models.Database(charset=desired.spec.charset, collation=desired.spec.collation)
        databases = ctx.clients.mysql.databases
        poller = databases.begin_create_or_update(server["resource_group"], server["name"], desired.spec.name, body)
        return _observe(rest(poller.result()))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        databases = ctx.clients.mysql.databases
        delete_if_present(lambda: databases.begin_delete(parts["resource_group"], parts["name"], parts["child_name_1"]))


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {"name": body["name"], "charset": properties.get("charset"), "collation": properties.get("collation")}
    return Observed(str(body["id"]), attributes, {"id": body["id"], "name": body["name"]})
