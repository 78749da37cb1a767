"""postgres_flexible_server through azure-mgmt-postgresqlflexibleservers (a TypeSpec SDK: bodies are its
model classes): PUT to create and PATCH to change (both asynchronous), firewall rules as child resources.

A server GET does not show its firewall rules: a read is the server GET and one list of its rules.
Destroy needs nothing extra: the rules go with the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from azure.mgmt.postgresqlflexibleservers import models

from provisioner.kinds.postgres_flexible_server import PostgresFlexibleServerSpec
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

FIREWALL = "firewall_rules"
SERVER_ATTRIBUTES = ("version", "sku_name", "sku_tier", "storage_size_gb", "active_directory_auth", "password_auth")


def _switch(enabled: bool) -> str:
    return "Enabled" if enabled else "Disabled"


class PostgresFlexibleServerProvider(ArmProvider[PostgresFlexibleServerSpec]):
    managed = (*ArmProvider.managed, *SERVER_ATTRIBUTES, "administrator_login", FIREWALL)
    replace_on = frozenset({"location", "administrator_login"})

    def read(self, ctx: ProviderContext, desired: Desired[PostgresFlexibleServerSpec]) -> Observed | None:
        group, name = group_and_name(desired)
        found = get_or_none(lambda: ctx.clients.postgres.servers.get(group, name))
        if found is None:
            return None
        return _observe(rest(found), _rules(ctx, group, name))

    def create(self, ctx: ProviderContext, desired: Desired[PostgresFlexibleServerSpec]) -> Observed:
        spec = desired.spec
        properties = models.ServerProperties(
            version=spec.version,
            administrator_login=spec.administrator_login,
            administrator_login_password=desired.secrets.get("administrator_password"),
            storage=models.Storage(storage_size_gb=spec.storage_size_gb),
            auth_config=models.AuthConfig(
                active_directory_auth=_switch(spec.active_directory_auth),
                password_auth=_switch(spec.password_auth),
                tenant_id=ctx.clients.tenant_id,
            ),
        )
        body = models.Server(
            location=location_for(ctx, desired),
            tags=merged_tags(desired),
            sku=models.Sku(name=spec.sku_name, tier=spec.sku_tier),
            properties=properties,
        )
        group, name = group_and_name(desired)
        created = ctx.clients.postgres.servers.begin_create_or_update(group, name, body).result()
        _sync_rules(ctx, desired, [])
        return _observe(rest(created), _wanted_rules(desired))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[PostgresFlexibleServerSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        changed = {change.path for change in changes}
        rules = list(observed.attributes.get(FIREWALL) or [])
        if FIREWALL in changed:
            _sync_rules(ctx, desired, rules)
            rules = _wanted_rules(desired)
        if not changed - {FIREWALL}:
            return replace(observed, attributes={**observed.attributes, FIREWALL: rules})
        spec = desired.spec
        patch = models.ServerForPatch(
            tags=merged_tags(desired, observed.attributes.get("tags")),
            sku=models.SkuForPatch(name=spec.sku_name, tier=spec.sku_tier),
            properties=models.ServerPropertiesForPatch(
                version=spec.version,
                storage=models.Storage(storage_size_gb=spec.storage_size_gb),
                auth_config=models.AuthConfigForPatch(
                    active_directory_auth=_switch(spec.active_directory_auth),
                    password_auth=_switch(spec.password_auth),
                ),
            ),
        )
        updated = ctx.clients.postgres.servers.begin_update(*group_and_name(desired), patch).result()
        return _observe(rest(updated), rules)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        servers = ctx.clients.postgres.servers
        delete_if_present(lambda: servers.begin_delete(parts["resource_group"], parts["name"]))


def _wanted_rules(desired: Desired[PostgresFlexibleServerSpec]) -> list[dict[str, str]]:
    rules = desired.values.get(FIREWALL) or []
    return sorted((dict(rule) for rule in rules), key=lambda rule: rule["name"])


def _rules(ctx: ProviderContext, group: str, server: str) -> list[dict[str, str]]:
    found = []
    for rule in ctx.clients.postgres.firewall_rules.list_by_server(group, server):
        body = rest(rule)
        properties = body.get("properties") or {}
        found.append(
            {
                "name": str(body["name"]),
                "start_ip_address": str(properties.get("startIpAddress")),
                "end_ip_address": str(properties.get("endIpAddress")),
            }
        )
    return sorted(found, key=lambda rule: rule["name"])


def _sync_rules(
    ctx: ProviderContext, desired: Desired[PostgresFlexibleServerSpec], live: list[Mapping[str, Any]]
) -> None:
    """PUT each wanted rule that is absent or different; DELETE each live one not wanted."""
    group, server = group_and_name(desired)
    rules = ctx.clients.postgres.firewall_rules
    wanted = _wanted_rules(desired)
    for rule in wanted:
        if rule not in live:
            body = models.FirewallRule(
                properties=models.FirewallRuleProperties(
                    start_ip_address=rule["start_ip_address"], end_ip_address=rule["end_ip_address"]
                )
            )
            rules.begin_create_or_update(group, server, rule["name"], body).result()
    names = {rule["name"] for rule in wanted}
    for name in [str(old["name"]) for old in live if old["name"] not in names]:
        _delete_rule(rules, group, server, name)


def _delete_rule(rules: Any, group: str, server: str, name: str) -> None:
    delete_if_present(lambda: rules.begin_delete(group, server, name))


def _observe(body: Mapping[str, Any], rules: list[dict[str, str]]) -> Observed:
    properties = body.get("properties") or {}
    sku = body.get("sku") or {}
    auth = properties.get("authConfig") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "version": properties.get("version"),
        "sku_name": sku.get("name"),
        "sku_tier": sku.get("tier"),
        "storage_size_gb": (properties.get("storage") or {}).get("storageSizeGB"),
        "active_directory_auth": auth.get("activeDirectoryAuth") == "Enabled",
        "password_auth": auth.get("passwordAuth") == "Enabled",
        "administrator_login": properties.get("administratorLogin"),
        FIREWALL: rules,
    }
    exports = {"id": body["id"], "name": body["name"], "fqdn": properties.get("fullyQualifiedDomainName")}
    return observed(body, attributes, exports)
