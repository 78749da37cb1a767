"""mysql_entra_admin through azure-mgmt-mysqlflexibleservers: `administrators/ActiveDirectory` (asynchronous).

Azure refuses the admin while the server's identity lacks its Graph permissions (graph_app_role_assignment
resources the admin should depend on)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.mgmt.mysqlflexibleservers import models

from provisioner.kinds.mysql_entra_admin import MySqlEntraAdminSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id, rest
from provisioner.providers.base import Desired, Observed, Provider, ProviderContext

ADMIN = "ActiveDirectory"


class MySqlEntraAdminProvider(Provider[MySqlEntraAdminSpec]):
    managed = ("login", "object_id", "identity")

    def read(self, ctx: ProviderContext, desired: Desired[MySqlEntraAdminSpec]) -> Observed | None:
        server = parse_id(str(desired.spec.server))
        admins = ctx.clients.mysql.azure_ad_administrators
        found = get_or_none(lambda: admins.get(server["resource_group"], server["name"], ADMIN))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[MySqlEntraAdminSpec]) -> Observed:
        spec = desired.spec
        server = parse_id(str(spec.server))
        body = models.AzureADAdministrator(
            administrator_type="ActiveDirectory",
            login=str(spec.login),
            sid=str(spec.object_id),
            tenant_id=ctx.clients.tenant_id,
            identity_resource_id=str(spec.identity),
        )
        admins = ctx.clients.mysql.azure_ad_administrators
        poller = admins.begin_create_or_update(server["resource_group"], server["name"], ADMIN, body)
        return _observe(rest(poller.result()))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        admins = ctx.clients.mysql.azure_ad_administrators
        delete_if_present(lambda: admins.begin_delete(parts["resource_group"], parts["name"], ADMIN))


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {
        "login": properties.get("login"),
        "object_id": properties.get("sid"),
        "identity": properties.get("identityResourceId"),
    }
    return Observed(str(body["id"]), attributes, {"id": body["id"]})
