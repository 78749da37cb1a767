"""Microsoft.Sql routes for a server's firewall rules (`servers/{s}/firewallRules/{rule}`), synchronous as
in Azure: PUT 201 / 200, GET, DELETE 200 / 204, list. The rules themselves are in `firewall.py`."""

from __future__ import annotations

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.sql.firewall import (
    FIREWALL_RULE_TYPE,
    check_public_access,
    check_rule_name,
    rule_body,
    rule_properties,
)
from provisioner.emulator.sql.models import child_not_found
from provisioner.emulator.sql.routes import SERVER, parent_server, server_id

routes = RouteTable(Surface.ARM)
RULES = SERVER + "/firewallRules"
RULE = RULES + "/{rule}"


def _rule_id(call: Call) -> str:
    return f"{server_id(call)}/firewallRules/{call.params['rule']}"


@routes.put(RULE)
async def put_firewall_rule(call: Call) -> Response:
    server = parent_server(call, f"{FIREWALL_RULE_TYPE}/write", _rule_id(call), writing=True)
    name = call.params["rule"]
    check_rule_name(name)
    check_public_access(server)
    body = rule_body(server.id, name, rule_properties(call.json().get("properties") or {}))
    created = call.cloud.store.put_resource(body["id"], FIREWALL_RULE_TYPE, server.id, body)
    return arm_json(body, 201 if created else 200)


@routes.get(RULE)
async def get_firewall_rule(call: Call) -> Response:
    parent_server(call, f"{FIREWALL_RULE_TYPE}/read", _rule_id(call))
    found = call.cloud.store.get_resource(_rule_id(call))
    if found is None:
        raise child_not_found(FIREWALL_RULE_TYPE, call.params["rule"])
    return arm_json(found.body)


@routes.delete(RULE)
async def delete_firewall_rule(call: Call) -> Response:
    parent_server(call, f"{FIREWALL_RULE_TYPE}/delete", _rule_id(call))
    deleted = call.cloud.store.delete_resource(_rule_id(call))
    return no_content(204 if deleted is None else 200)


@routes.get(RULES)
async def list_firewall_rules(call: Call) -> Response:
    server = parent_server(call, f"{FIREWALL_RULE_TYPE}/read", server_id(call))
    rules = call.cloud.store.list_resources(parent=server.id, resource_type=FIREWALL_RULE_TYPE)
    return paged(call, [rule.body for rule in rules])
