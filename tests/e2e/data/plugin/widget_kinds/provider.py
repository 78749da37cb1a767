"""The provider of `sql_firewall_rule`, through azure-mgmt-sql (a REST body in camelCase)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.providers.arm import delete_if_present, get_or_none, rest
from provisioner.providers.base import Desired, Observed, Provider, ProviderContext
from widget_kinds import SqlFirewallRuleSpec


class SqlFirewallRuleProvider(Provider[SqlFirewallRuleSpec]):
    managed = ("start_ip", "end_ip")

    def read(self, ctx: ProviderContext, desired: Desired[SqlFirewallRuleSpec]) -> Observed | None:
        group, server = _server(desired.spec)
        rules = ctx.clients.sql.firewall_rules
        found = get_or_none(lambda: rules.get(group, server, desired.spec.name))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[SqlFirewallRuleSpec]) -> Observed:
        group, server = _server(desired.spec)
        body = {"properties": {"startIpAddress": desired.spec.start_ip, "endIpAddress": desired.spec.end_ip}}
        created = ctx.clients.sql.firewall_rules.create_or_update(group, server, desired.spec.name, body)
        return _observe(rest(created))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = azure_id.split("/")
        rules = ctx.clients.sql.firewall_rules
        delete_if_present(lambda: rules.delete(parts[4], parts[8], parts[10]))


def _server(spec: SqlFirewallRuleSpec) -> tuple[str, str]:
    parts = str(spec.server).split("/")
    return parts[4], parts[8]


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {"start_ip": properties.get("startIpAddress"), "end_ip": properties.get("endIpAddress")}
    return Observed(str(body["id"]), attributes, {"id": body["id"], "name": body["name"]})
