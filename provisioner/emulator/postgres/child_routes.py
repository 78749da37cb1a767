"""A flexible server's children: databases (real databases of its cluster), firewall rules and
Microsoft Entra admins (`administrators/{objectId}`, real pgaadauth principals of its cluster).
Every write is asynchronous, as in Azure: 202, then the operation's status."""

from __future__ import annotations

import asyncio
import re

from starlette.responses import Response

from provisioner.emulator.arm.authz import can
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.scopes import resource_not_found
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.postgres import engine
from provisioner.emulator.postgres.models import (
    ADMIN_TYPE,
    DATABASE_TYPE,
    FIREWALL_TYPE,
    SYSTEM_DATABASES,
    check_admin,
    check_firewall_rule,
    child_body,
    invalid,
)
from provisioner.emulator.postgres.routes import SERVER, accepted, server_of
from provisioner.emulator.resources.cascade import delete_one

routes = RouteTable(Surface.ARM)
CHILD = SERVER + "/{segment}/{child}"
SEGMENTS = {"databases": DATABASE_TYPE, "firewallRules": FIREWALL_TYPE, "administrators": ADMIN_TYPE}
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$-]{0,62}")


def _segment(call: Call) -> tuple[str, str]:
    """The child collection's canonical name and resource type (ARM matches type names in any case)."""
    for segment, resource_type in SEGMENTS.items():
        if call.params["segment"].lower() == segment.lower():
            return segment, resource_type
    raise resource_not_found(call.request.url.path)


def _child(call: Call, action: str) -> tuple[StoredResource, str, str, str]:
    segment, resource_type = _segment(call)
    server = server_of(call, action if action == "read" else "write")
    return server, segment, resource_type, f"{server.id}/{segment}/{call.params['child']}"


@routes.put(CHILD)
async def put_child(call: Call) -> Response:
    server, segment, resource_type, child_id = _child(call, "write")
    name = call.params["child"]
    asked = call.json().get("properties") or {}
    data_dir = call.cloud.data_dir
    if segment == "databases":
        if not _DATABASE_NAME.fullmatch(name) or name.lower() in SYSTEM_DATABASES:
            raise invalid(f"The database name '{name}' is not valid or is reserved.", "InvalidDatabaseName")
        properties = {
            "charset": str(asked.get("charset") or "UTF8"),
            "collation": str(asked.get("collation") or "en_US.utf8"),
        }
        await asyncio.to_thread(engine.create_database, data_dir, server.id, name, properties["charset"])
    elif segment == "firewallRules":
        properties = check_firewall_rule(name, asked)
    else:
        if not _GUID.fullmatch(name):
            raise invalid(f"The object id '{name}' is not a valid GUID.")
        properties = check_admin(name, asked, server.body)
        await asyncio.to_thread(
            engine.add_admin, data_dir, server.id, name, properties["principalType"], properties["principalName"]
        )
    body = child_body(server.id, segment, name, resource_type, properties)
    call.cloud.store.put_resource(child_id, resource_type, server.id, body)
    return accepted(call, server.body["location"])


@routes.get(CHILD)
async def get_child(call: Call) -> Response:
    _, _, resource_type, child_id = _child(call, "read")
    found = call.cloud.store.get_resource(child_id)
    if found is None or found.type != resource_type.lower():
        raise resource_not_found(child_id)
    return arm_json(found.body)


@routes.delete(CHILD)
async def delete_child(call: Call) -> Response:
    server, segment, resource_type, child_id = _child(call, "delete")
    found = call.cloud.store.get_resource(child_id)
    if found is None or found.type != resource_type.lower():
        return no_content(204)
    if segment == "databases":
        await asyncio.to_thread(engine.drop_database, call.cloud.data_dir, server.id, found.body["name"])
    elif segment == "administrators":
        name = found.body["properties"]["principalName"]
        await asyncio.to_thread(engine.remove_admin, call.cloud.data_dir, server.id, name)
    delete_one(call.cloud.store, found.id)
    return accepted(call, server.body["location"])


@routes.get(SERVER + "/{segment}")
async def list_children(call: Call) -> Response:
    _, resource_type = _segment(call)
    server = server_of(call, "read")
    items = call.cloud.store.list_resources(parent=server.id, resource_type=resource_type)
    return paged(call, [item.body for item in items if can(call, f"{resource_type}/read", item.id)])
