"""sql_server through azure-mgmt-sql: PUT to create (asynchronous), PATCH for what changes.

`allow_azure_services` is the server firewall rule `AllowAllWindowsAzureIps` (0.0.0.0 - 0.0.0.0), what the
portal's "Allow Azure services and resources to access this server" creates: create PUTs it when wanted
(`firewall_rules.create_or_update`; a new server has no rule), update PUTs or DELETEs it, and PATCHes the
server only when a server attribute changed.
A server GET does not show its firewall rules, so a read costs two calls (the server GET and the rule's
GET): a SQL server is read twice on a re-plan. Destroy needs nothing extra: the rules go with the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from provisioner.kinds.sql_server import SqlServerSpec
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

ALLOW_AZURE_SERVICES = "AllowAllWindowsAzureIps"
AZURE_SERVICES_RANGE = {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"}
FIREWALL = "allow_azure_services"


class SqlServerProvider(ArmProvider[SqlServerSpec]):
    managed = (*ArmProvider.managed, "minimal_tls_version", "administrator_login", FIREWALL)
    replace_on = frozenset({"location", "administrator_login"})

    def read(self, ctx: ProviderContext, desired: Desired[SqlServerSpec]) -> Observed | None:
        group, name = group_and_name(desired)
        found = get_or_none(lambda: ctx.clients.sql.servers.get(group, name))
        if found is None:
            return None
        rule = get_or_none(lambda: ctx.clients.sql.firewall_rules.get(group, name, ALLOW_AZURE_SERVICES))
        return _observe(rest(found), _allows_azure_services(rule))

    def create(self, ctx: ProviderContext, desired: Desired[SqlServerSpec]) -> Observed:
        spec = desired.spec
        properties = {
            "administratorLogin": spec.administrator_login,
            "administratorLoginPassword": desired.secrets.get("administrator_password"),
            "minimalTlsVersion": spec.minimal_tls_version,
            "version": "12.0",
        }
        body = {"location": location_for(ctx, desired), "tags": merged_tags(desired), "properties": properties}
        servers = ctx.clients.sql.servers
        created = servers.begin_create_or_update(*group_and_name(desired), body).result()
        if spec.allow_azure_services:
            _set_azure_services(ctx, desired, allowed=True)
        return _observe(rest(created), spec.allow_azure_services)

    def update(
        self, ctx: ProviderContext, desired: Desired[SqlServerSpec], observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        changed = {change.path for change in changes}
        allowed = bool(observed.attributes.get(FIREWALL))
        if FIREWALL in changed:
            allowed = desired.spec.allow_azure_services
            _set_azure_services(ctx, desired, allowed=allowed)
        if not changed - {FIREWALL}:
            return replace(observed, attributes={**observed.attributes, FIREWALL: allowed})
        patch = {
            "tags": merged_tags(desired, observed.attributes.get("tags")),
            "properties": {"minimalTlsVersion": desired.spec.minimal_tls_version},
        }
        servers = ctx.clients.sql.servers
        updated = servers.begin_update(*group_and_name(desired), patch).result()
        return _observe(rest(updated), allowed)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        servers = ctx.clients.sql.servers
        delete_if_present(lambda: servers.begin_delete(parts["resource_group"], parts["name"]))


def _allows_azure_services(rule: Any) -> bool:
    """Whether the AllowAllWindowsAzureIps rule exists with its 0.0.0.0 range."""
    properties = rest(rule).get("properties") or {}
    return rule is not None and all(properties.get(key) == value for key, value in AZURE_SERVICES_RANGE.items())


def _set_azure_services(ctx: ProviderContext, desired: Desired[SqlServerSpec], *, allowed: bool) -> None:
    """PUT or DELETE the AllowAllWindowsAzureIps rule."""
    rules = ctx.clients.sql.firewall_rules
    group, server = group_and_name(desired)
    if allowed:
        rules.create_or_update(group, server, ALLOW_AZURE_SERVICES, {"properties": AZURE_SERVICES_RANGE})
    else:
        delete_if_present(lambda: rules.delete(group, server, ALLOW_AZURE_SERVICES))


def _observe(body: Mapping[str, Any], allows_azure_services: bool) -> Observed:
    properties = body.get("properties") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "administrator_login": properties.get("administratorLogin"),
        "minimal_tls_version": properties.get("minimalTlsVersion"),
        FIREWALL: allows_azure_services,
    }
    exports = {"id": body["id"], "name": body["name"], "fqdn": properties.get("fullyQualifiedDomainName")}
    return observed(body, attributes, exports)
