"""sql_server through azure-mgmt-sql: PUT to create (asynchronous), PATCH for what changes.

`allow_azure_services` (the AllowAllWindowsAzureIps firewall rule) is not applied yet: the local cloud
has no `firewallRules` routes to test it against.
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


class SqlServerProvider(ArmProvider):
    kind = "sql_server"
    managed = (*ArmProvider.managed, "minimal_tls_version", "administrator_login")
    replace_on = frozenset({"location", "administrator_login"})

    def read(self, ctx: ProviderContext, desired: Desired) -> Observed | None:
        servers = ctx.clients.sql.servers
        found = get_or_none(lambda: servers.get(desired.values["resource_group"], desired.values["name"]))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired) -> Observed:
        values = desired.values
        properties = {
            "administratorLogin": values["administrator_login"],
            "administratorLoginPassword": desired.secrets.get("administrator_password"),
            "minimalTlsVersion": values["minimal_tls_version"],
            "version": "12.0",
        }
        body = {"location": location_for(ctx, desired), "tags": merged_tags(desired), "properties": properties}
        servers = ctx.clients.sql.servers
        return _observe(rest(servers.begin_create_or_update(values["resource_group"], values["name"], body).result()))

    def update(
        self, ctx: ProviderContext, desired: Desired, observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        values = desired.values
        patch = {
            "tags": merged_tags(desired, observed.attributes.get("tags")),
            "properties": {"minimalTlsVersion": values["minimal_tls_version"]},
        }
        servers = ctx.clients.sql.servers
        return _observe(rest(servers.begin_update(values["resource_group"], values["name"], patch).result()))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        servers = ctx.clients.sql.servers
        delete_if_present(lambda: servers.begin_delete(parts["resource_group"], parts["name"]))


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "administrator_login": properties.get("administratorLogin"),
        "minimal_tls_version": properties.get("minimalTlsVersion"),
    }
    exports = {"id": body["id"], "name": body["name"], "fqdn": properties.get("fullyQualifiedDomainName")}
    return observed(body, attributes, exports)
