"""mysql_flexible_server through azure-mgmt-mysqlflexibleservers: create (asynchronous), PATCH for what
changes, firewall rules put and removed one by one (a server GET does not show them: a read lists them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.mgmt.mysqlflexibleservers import models

from provisioner.kinds.mysql_flexible_server import MySqlFlexibleServerSpec
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
SERVER_ATTRIBUTES = frozenset({"tags", "sku_name", "sku_tier", "storage_gb", "identities"})


class MySqlFlexibleServerProvider(ArmProvider[MySqlFlexibleServerSpec]):
    managed = (
        *ArmProvider.managed,
        "administrator_login",
        "version",
        "sku_name",
        "sku_tier",
        "storage_gb",
        "identities",
        FIREWALL,
    )
    replace_on = frozenset({"location", "administrator_login", "version"})

    def read(self, ctx: ProviderContext, desired: Desired[MySqlFlexibleServerSpec]) -> Observed | None:
        group, name = group_and_name(desired)
        found = get_or_none(lambda: ctx.clients.mysql.servers.get(group, name))
        if found is None:
            return None
        return _observe(rest(found), _rules(ctx, group, name))

    def create(self, ctx: ProviderContext, desired: Desired[MySqlFlexibleServerSpec]) -> Observed:
        spec = desired.spec
        server = models.Server(
            location=location_for(ctx, desired),
            tags=merged_tags(desired),
            sku=models.MySQLServerSku(name=spec.sku_name, tier=spec.sku_tier),
            identity=_identity(desired),
            administrator_login=spec.administrator_login,
            administrator_login_password=desired.secrets.get("administrator_password"),
            version=spec.version,
            storage=models.Storage(storage_size_gb=spec.storage_gb),
        )
        group, name = group_and_name(desired)
        created = ctx.clients.mysql.servers.begin_create(group, name, server).result()
        rules = _sync_rules(ctx, desired, {})
        return _observe(rest(created), rules)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[MySqlFlexibleServerSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        changed = {change.path for change in changes}
        group, name = group_and_name(desired)
        rules = _sync_rules(ctx, desired, observed.attributes.get(FIREWALL) or {})
        if not changed & SERVER_ATTRIBUTES:
            return _observe_again(observed, rules)
        spec = desired.spec
        patch = models.ServerForUpdate(
            tags=merged_tags(desired, observed.attributes.get("tags")),
            sku=models.MySQLServerSku(name=spec.sku_name, tier=spec.sku_tier),
            storage=models.Storage(storage_size_gb=spec.storage_gb),
            identity=_identity(desired),
        )
        updated = ctx.clients.mysql.servers.begin_update(group, name, patch).result()
        return _observe(rest(updated), rules)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        servers = ctx.clients.mysql.servers
        delete_if_present(lambda: servers.begin_delete(parts["resource_group"], parts["name"]))


def _identity(desired: Desired[MySqlFlexibleServerSpec]) -> models.MySQLServerIdentity | None:
    ids = [str(uai) for uai in desired.spec.identities]
    if not ids:
        return None
    return models.MySQLServerIdentity(
        type="UserAssigned", user_assigned_identities={uai: models.UserAssignedIdentity() for uai in ids}
    )


def _rules(ctx: ProviderContext, group: str, server: str) -> dict[str, dict[str, str]]:
    listed = ctx.clients.mysql.firewall_rules.list_by_server(group, server)
    return {rule.name: {"start": rule.start_ip_address, "end": rule.end_ip_address} for rule in listed}


def _sync_rules(
    ctx: ProviderContext, desired: Desired[MySqlFlexibleServerSpec], live: Mapping[str, Any]
) -> dict[str, dict[str, str]]:
    """PUT the rules that differ, DELETE the ones the scenario no longer has; the rules afterwards."""
    group, server = group_and_name(desired)
    operations = ctx.clients.mysql.firewall_rules
    wanted = {name: {"start": rule.start, "end": rule.end} for name, rule in desired.spec.firewall_rules.items()}
    for name, rule in wanted.items():
        if live.get(name) != rule:
            body = models.FirewallRule(start_ip_address=rule["start"], end_ip_address=rule["end"])
            operations.begin_create_or_update(group, server, name, body).result()
    for name in sorted(set(live) - set(wanted)):
        _delete_rule(operations, group, server, name)
    return wanted


def _delete_rule(operations: Any, group: str, server: str, name: str) -> None:
    delete_if_present(lambda: operations.begin_delete(group, server, name))


def _observe(body: Mapping[str, Any], rules: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    sku = body.get("sku") or {}
    identities = (body.get("identity") or {}).get("userAssignedIdentities") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "administrator_login": properties.get("administratorLogin"),
        "version": properties.get("version"),
        "sku_name": sku.get("name"),
        "sku_tier": sku.get("tier"),
        "storage_gb": (properties.get("storage") or {}).get("storageSizeGB"),
        "identities": sorted(identities),
        FIREWALL: dict(rules),
    }
    exports = {"id": body["id"], "name": body["name"], "fqdn": properties.get("fullyQualifiedDomainName")}
    return observed(body, attributes, exports)


def _observe_again(before: Observed, rules: Mapping[str, Any]) -> Observed:
    return Observed(before.azure_id, {**before.attributes, FIREWALL: dict(rules)}, before.exports)
