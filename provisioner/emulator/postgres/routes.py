"""Microsoft.DBforPostgreSQL/flexibleServers routes: servers (asynchronous create, update and delete,
as in Azure: 202 with Azure-AsyncOperation, Location and Retry-After) and the operation polls. Each
server's real cluster is made, changed and dropped with it (engine.py). Children are in child_routes.py."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.operations import operation_status, start_operation
from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.arm.tracked import (
    group_scope,
    prepare_delete,
    prepare_write,
    read_existing,
    resource_path,
    tracked_base,
)
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.postgres import engine
from provisioner.emulator.postgres.models import (
    PROVIDER,
    SERVER_TYPE,
    check_admin_login,
    check_name_available,
    check_server_name,
    invalid,
    server_properties,
    sku_of,
)
from provisioner.emulator.resources.cascade import delete_resource_tree, delete_tree

routes = RouteTable(Surface.ARM)
SERVERS = TrackedType(PROVIDER, "flexibleServers", "postgres_server", "postgres_servers", delete=delete_resource_tree)
add_tracked_routes(routes, SERVERS, delete=False)  # DELETE is asynchronous and drops the cluster
SERVER = SERVERS.item


def server_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "flexibleServers", call.params["name"])


def accepted(call: Call, location: str) -> Response:
    """202 for an operation already applied, announced as Azure does (a subscription-level status URL)."""
    headers = start_operation(call, provider=PROVIDER, location=location, status_url_kind="azureAsyncOperation")
    return no_content(202, headers)


@routes.put(SERVER)
async def put_server(call: Call) -> Response:
    name = call.params["name"]
    existing = prepare_write(call, server_id(call), SERVER_TYPE)
    check_server_name(name)
    request = call.json()
    base = tracked_base(server_id(call), name, SERVER_TYPE, request, existing)
    check_name_available(call.cloud.store, name, base["id"])
    asked = request.get("properties") or {}
    current = existing.body["properties"] if existing else {}
    tenant = call.cloud.identity.tenant_id
    properties = server_properties(base["name"], None, asked, current, tenant)
    password_auth = properties["authConfig"]["passwordAuth"] == "Enabled"
    login = current.get("administratorLogin") if existing else check_admin_login(asked, password_auth)
    if login:
        properties["administratorLogin"] = login
    body = base | {"sku": sku_of(request, existing.body["sku"] if existing else None), "properties": properties}
    if existing is None:
        password = asked.get("administratorLoginPassword")
        await asyncio.to_thread(engine.create_server, call.cloud.data_dir, body["id"], login, password)
    call.cloud.store.put_resource(body["id"], SERVER_TYPE, group_scope(call), body)
    return accepted(call, body["location"])


@routes.patch(SERVER)
async def update_server(call: Call) -> Response:
    found = read_existing(call, server_id(call), SERVER_TYPE, action="write")
    changes = call.json()
    asked = changes.get("properties") or {}
    body: dict[str, Any] = dict(found.body)
    current = body["properties"]
    login = current.get("administratorLogin")
    properties = server_properties(body["name"], login, asked, current, call.cloud.identity.tenant_id)
    if properties["authConfig"]["passwordAuth"] == "Enabled" and not login:
        raise invalid("Password authentication needs an administrator login, which this server was created without.")
    password = asked.get("administratorLoginPassword")
    if password and login:
        await asyncio.to_thread(engine.set_password, call.cloud.data_dir, found.id, login, str(password))
    if "tags" in changes:
        body["tags"] = changes["tags"] or {}
    if changes.get("sku"):
        body["sku"] = sku_of({"sku": body["sku"] | changes["sku"]}, None)
    body["properties"] = properties
    call.cloud.store.put_resource(found.id, found.type, found.parent, body)
    return accepted(call, body["location"])


@routes.delete(SERVER)
async def delete_server(call: Call) -> Response:
    found = prepare_delete(call, server_id(call), SERVER_TYPE)
    if found is None:
        return no_content(204)
    await asyncio.to_thread(delete_tree, call.cloud.store, found.id)
    return accepted(call, found.body["location"])


@routes.get(
    "/subscriptions/{subscription}/providers/Microsoft.DBforPostgreSQL/locations/{location}/azureAsyncOperation/{operation}"
)
async def postgres_operation(call: Call) -> Response:
    return await operation_status(call)


def server_of(call: Call, action: str) -> Any:
    """The parent server of a child route, authorized for `action` (ARM's 404 when it is absent)."""
    return read_existing(call, server_id(call), SERVER_TYPE, action=action)


def arm(body: dict[str, Any]) -> Response:
    return arm_json(body)
