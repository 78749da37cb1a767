"""Microsoft.Sql routes: logical servers and databases (asynchronous, as in Azure), and SQL's own
operation-status URLs. The Entra admin lives in `admin_routes.py`, the databases' T-SQL (over TDS) in
`tds/` and `sessions.py`."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.authz import can
from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.operations import operation_result, operation_status
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.tracked import (
    now_iso,
    parent_of_child,
    prepare_delete,
    prepare_write,
    read_existing,
    resource_path,
    tracked_base,
)
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.resources.cascade import delete_one, delete_resource_tree, delete_tree
from provisioner.emulator.sql.models import (
    ADMIN_NAME,
    ADMIN_TYPE,
    DATABASE_TYPE,
    SERVER_TYPE,
    admin_body,
    admin_properties,
    check_database_location,
    check_name_available,
    check_password_change,
    check_server_name,
    check_user_database_name,
    database_properties,
    external_admin_view,
    master_body,
    new_administrator_login,
    server_properties,
)
from provisioner.emulator.sql.operations import KINDS, PROVIDER, accepted

routes = RouteTable(Surface.ARM)
SERVERS = TrackedType("Microsoft.Sql", "servers", "server", "servers", delete=delete_resource_tree, name_param="server")
add_tracked_routes(routes, SERVERS, get=False, delete=False)  # GET expands administrators; DELETE is async
GROUP_PROVIDER = "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Sql"
SERVER = GROUP_PROVIDER + "/servers/{server}"
DATABASE = SERVER + "/databases/{database}"
VCORE_TIERS = frozenset({"GeneralPurpose", "BusinessCritical", "Hyperscale"})


def server_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "servers", call.params["server"])


def admin_of(store: Store, server: str) -> StoredResource | None:
    return store.get_resource(f"{server}/administrators/{ADMIN_NAME}")


def aad_only_enabled(store: Store, server: str) -> bool:
    admin = admin_of(store, server)
    return bool(admin and admin.body["properties"]["azureADOnlyAuthentication"])


def parent_server(call: Call, action: str, resource_id: str, *, writing: bool = False) -> StoredResource:
    """Authorize `action` on a server's child resource; the server, or ARM's 404 for a missing parent."""
    return parent_of_child(call, action, resource_id, server_id(call), SERVER_TYPE, writing=writing)


def _group_scope(call: Call) -> str:
    return f"/subscriptions/{call.params['subscription']}/resourceGroups/{call.params['group']}"


@routes.put(SERVER)
async def put_server(call: Call) -> Response:
    name = call.params["server"]
    existing = prepare_write(call, server_id(call), SERVER_TYPE)
    check_server_name(name)
    request = call.json()
    base = tracked_base(server_id(call), name, SERVER_TYPE, request, existing)
    check_name_available(call.cloud.store, name, base["id"])
    properties = request.get("properties") or {}
    with call.cloud.store.transaction():
        if existing is None:
            _create_server(call, base, properties)
        else:
            _replace_server(call, existing, base, properties)
    return accepted(call, location=base["location"], kind="server", operation="UpsertLogicalServer")


def _create_server(call: Call, base: dict[str, Any], properties: dict[str, Any]) -> None:
    """A new server with its `master` database and, when the request names one, its Entra admin."""
    store = call.cloud.store
    requested_admin = properties.get("administrators")
    aad_only = bool(requested_admin and requested_admin.get("azureADOnlyAuthentication"))
    login = new_administrator_login(properties, aad_only)
    admin = (
        admin_properties(store, call.cloud.identity.tenant_id, requested_admin, aad_only) if requested_admin else None
    )
    body = base | {"kind": "v12.0", "properties": server_properties(base["name"], login, {}, properties)}
    store.put_resource(body["id"], SERVER_TYPE, _group_scope(call), body)
    master = master_body(body, now_iso())
    store.put_resource(master["id"], DATABASE_TYPE, body["id"], master)
    if admin is not None:
        save_admin(store, body["id"], admin)


def save_admin(store: Store, server: str, properties: dict[str, Any]) -> None:
    store.put_resource(f"{server}/administrators/{ADMIN_NAME}", ADMIN_TYPE, server, admin_body(server, properties))


def _replace_server(call: Call, existing: StoredResource, base: dict[str, Any], properties: dict[str, Any]) -> None:
    """A PUT on an existing server: the admin login and the Entra admin stay as they are."""
    check_password_change(properties, aad_only_enabled(call.cloud.store, existing.id))
    current = existing.body["properties"]
    login = current["administratorLogin"]
    body = base | {"kind": "v12.0", "properties": server_properties(base["name"], login, current, properties)}
    call.cloud.store.put_resource(existing.id, SERVER_TYPE, existing.parent, body)


@routes.patch(SERVER)
async def update_server(call: Call) -> Response:
    found = read_existing(call, server_id(call), SERVER_TYPE, action="write")
    changes = call.json()
    properties = changes.get("properties") or {}
    check_password_change(properties, aad_only_enabled(call.cloud.store, found.id))
    body = dict(found.body)
    if "tags" in changes:
        body["tags"] = changes["tags"] or {}
    current = body["properties"]
    body["properties"] = server_properties(body["name"], current["administratorLogin"], current, properties)
    call.cloud.store.put_resource(found.id, found.type, found.parent, body)
    return accepted(call, location=body["location"], kind="server", operation="UpsertLogicalServer")


@routes.get(SERVER)
async def get_server(call: Call) -> Response:
    found = read_existing(call, server_id(call), SERVER_TYPE)
    admin = admin_of(call.cloud.store, found.id)
    if admin is None or "administrators" not in (call.query_value("$expand") or "").lower():
        return arm_json(found.body)
    expanded = found.body["properties"] | {"administrators": external_admin_view(call.cloud.store, admin)}
    return arm_json(found.body | {"properties": expanded})


@routes.delete(SERVER)
async def delete_server(call: Call) -> Response:
    found = prepare_delete(call, server_id(call), SERVER_TYPE)
    if found is None:
        return no_content(204)
    delete_tree(call.cloud.store, found.id)
    return accepted(call, location=found.body["location"], kind="server", operation="DropLogicalServer")


def _database_id(call: Call) -> str:
    return f"{server_id(call)}/databases/{call.params['database']}"


@routes.put(DATABASE)
async def put_database(call: Call) -> Response:
    name = call.params["database"]
    check_user_database_name(name)
    server = parent_server(call, f"{DATABASE_TYPE}/write", _database_id(call), writing=True)
    existing = call.cloud.store.get_resource(_database_id(call))
    request = call.json()
    base = tracked_base(f"{server.id}/databases/{name}", name, DATABASE_TYPE, request, existing)
    check_database_location(server, base["location"])
    previous = existing.body["properties"] if existing else None
    sku, properties = database_properties(request, previous, now_iso())
    kind = "v12.0,user,vcore" if sku.get("tier") in VCORE_TIERS else "v12.0,user"
    body = base | {"kind": kind, "sku": sku, "properties": properties}
    call.cloud.store.put_resource(body["id"], DATABASE_TYPE, server.id, body)
    operation = "UpdateLogicalDatabase" if existing else "CreateLogicalDatabase"
    return accepted(call, location=base["location"], kind="database", operation=operation)


@routes.get(DATABASE)
async def get_database(call: Call) -> Response:
    return arm_json(read_existing(call, _database_id(call), DATABASE_TYPE).body)


@routes.delete(DATABASE)
async def delete_database(call: Call) -> Response:
    check_user_database_name(call.params["database"])
    found = prepare_delete(call, _database_id(call), DATABASE_TYPE)
    if found is None:
        return no_content(204)
    delete_one(call.cloud.store, found.id)
    return accepted(call, location=found.body["location"], kind="database", operation="DropLogicalDatabase")


@routes.get(SERVER + "/databases")
async def list_databases(call: Call) -> Response:
    server = parent_server(call, f"{DATABASE_TYPE}/read", server_id(call))
    databases = call.cloud.store.list_resources(parent=server.id, resource_type=DATABASE_TYPE)
    return paged(call, [item.body for item in databases if can(call, f"{DATABASE_TYPE}/read", item.id)])


@routes.get(GROUP_PROVIDER + "/locations/{location}/{status_kind}/{operation}")
async def sql_operation(call: Call) -> Response:
    """`{server|database|administrator}AzureAsyncOperation` and `...OperationResults` polls."""
    status_kind = call.params["status_kind"].lower()
    for kind in KINDS:
        if status_kind == f"{kind}azureasyncoperation":
            return await operation_status(call)
        if status_kind == f"{kind}operationresults":
            return await operation_result(call)
    raise CloudServiceError(
        404, "InvalidResourceType", f"The resource type could not be found for the path '{call.request.url.path}'."
    )
