"""Microsoft.DBforMySQL routes: flexible servers, their databases, firewall rules and Entra administrator.

Writes and deletes are asynchronous as on Azure: 202 with `Azure-AsyncOperation` and `Location` (the
SDK's final state comes from `Location`, which answers the resource) and `Retry-After`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.authz import authorize
from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.operations import operation_status, start_operation
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.scopes import require_group, resource_not_found
from provisioner.emulator.arm.tracked import (
    group_scope,
    parent_of_child,
    prepare_delete,
    prepare_write,
    resource_path,
    tracked_base,
)
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.graph.app_roles import granted_permissions
from provisioner.emulator.managedidentity.identity_block import identity_for_write
from provisioner.emulator.mysql import models
from provisioner.emulator.mysql.models import ADMIN_NAME, PROVIDER, SERVER_TYPE
from provisioner.emulator.resources.cascade import delete_one, delete_resource_tree, delete_tree

routes = RouteTable(Surface.ARM)
SERVERS = TrackedType(PROVIDER, "flexibleServers", "mysql_server", "mysql_servers", delete=delete_resource_tree)
add_tracked_routes(routes, SERVERS, delete=False)
SERVER = "/subscriptions/{subscription}/resourceGroups/{group}/providers/" + SERVER_TYPE + "/{name}"
# A child of a server: databases, firewallRules, administrators.
CHILD = SERVER + "/{collection}/{child}"
CHILD_TYPES = {
    "databases": models.DATABASE_TYPE,
    "firewallrules": models.FIREWALL_RULE_TYPE,
    "administrators": models.ADMIN_TYPE,
}


def _server_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "flexibleServers", call.params["name"])


def _accepted(call: Call, location: str, result: dict[str, Any] | None, status: int = 202) -> Response:
    headers = start_operation(
        call, provider=PROVIDER, location=location, result=result, status_url_kind="azureAsyncOperation"
    )
    return no_content(status, headers)


@routes.put(SERVER)
async def put_server(call: Call) -> Response:
    name = call.params["name"]
    existing = prepare_write(call, _server_id(call), SERVER_TYPE)
    models.check_server_name(name)
    request = call.json()
    base = tracked_base(_server_id(call), name, SERVER_TYPE, request, existing)
    models.check_name_free(call.cloud.store, name, base["id"])
    return _write_server(call, base, request, existing, patch=False)


@routes.patch(SERVER)
async def patch_server(call: Call) -> Response:
    found = _existing_server(call, "write")
    request = call.json()
    base = {key: found.body[key] for key in ("id", "name", "type", "location")}
    tags = request["tags"] if "tags" in request else found.body.get("tags")
    if tags:
        base["tags"] = tags
    return _write_server(call, base, request, found, patch=True)


def _write_server(
    call: Call, base: dict[str, Any], request: dict[str, Any], existing: StoredResource | None, *, patch: bool
) -> Response:
    properties = request.get("properties") or {}
    if existing is None:
        models.check_new_server(properties)
    models.check_identity(request.get("identity"))
    current = existing.body if existing else {}
    sku = models.check_sku(request["sku"]) if "sku" in request or existing is None else current["sku"]
    identity = identity_for_write(
        call,
        owner_id=base["id"],
        owner_name=base["name"],
        previous=existing,
        requested=request.get("identity"),
        patch=patch,
    )
    body = base | {
        "sku": sku,
        "properties": models.server_properties(base["name"], properties, current.get("properties")),
    }
    if identity:
        body["identity"] = identity
    call.cloud.store.put_resource(body["id"], SERVER_TYPE, group_scope(call), body)
    return _accepted(call, body["location"], body)


def _existing_server(call: Call, action: str) -> StoredResource:
    authorize(call, f"{SERVER_TYPE}/{action}", _server_id(call))
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    found = call.cloud.store.get_resource(_server_id(call))
    if found is None or found.type != SERVER_TYPE.lower():
        raise resource_not_found(_server_id(call))
    return found


@routes.delete(SERVER)
async def delete_server(call: Call) -> Response:
    found = prepare_delete(call, _server_id(call), SERVER_TYPE)
    if found is None:
        return no_content(204)
    delete_tree(call.cloud.store, found.id)
    return _accepted(call, found.body["location"], None)


# ---- children: databases, firewall rules, the Entra administrator ---------------------------------


def _child_type(call: Call) -> str:
    child_type = CHILD_TYPES.get(call.params["collection"].lower())
    if child_type is None:
        raise CloudServiceError(
            404, "InvalidResourceType", f"The resource type could not be found for the path '{call.request.url.path}'."
        )
    return child_type


def _parent(call: Call, child_type: str, action: str, scope: str, *, writing: bool = False) -> StoredResource:
    """Authorize `action` on a child (or the children) of a server; the server, or ARM's 404."""
    return parent_of_child(call, f"{child_type}/{action}", scope, _server_id(call), SERVER_TYPE, writing=writing)


@routes.put(CHILD)
async def put_child(call: Call) -> Response:
    child_type, name = _child_type(call), call.params["child"]
    server = _parent(call, child_type, "write", _child_id(call), writing=True)
    properties = call.json().get("properties") or {}
    if child_type == models.DATABASE_TYPE:
        models.check_database_name(name)
        body = models.database_body(server, name, properties)
    elif child_type == models.FIREWALL_RULE_TYPE:
        body = models.firewall_body(server, name, properties)
    else:
        body = _admin(call, server, name, properties)
    call.cloud.store.put_resource(body["id"], child_type, server.id, body)
    return _accepted(call, server.body["location"], body)


def _admin(call: Call, server: StoredResource, name: str, properties: dict[str, Any]) -> dict[str, Any]:
    """The Entra admin, only for a server whose user-assigned identity can read Graph (as Azure requires)."""
    if name != ADMIN_NAME:
        raise models.invalid_parameter(f"Invalid administrator name '{name}'. Use '{ADMIN_NAME}'.")
    tenant = call.cloud.identity.tenant_id
    models.check_admin_request(properties, tenant)
    principal = models.server_identity_principal(server, properties["identityResourceId"])
    held = granted_permissions(call.cloud.store, tenant, principal)
    missing = [permission for permission in models.REQUIRED_GRAPH_PERMISSIONS if permission not in held]
    if missing:
        raise models.missing_graph_permissions(properties["identityResourceId"], missing)
    return models.admin_body(server, properties)


def _child_id(call: Call) -> str:
    return f"{_server_id(call)}/{call.params['collection']}/{call.params['child']}"


@routes.get(CHILD)
async def get_child(call: Call) -> Response:
    child_type = _child_type(call)
    _parent(call, child_type, "read", _child_id(call))
    found = call.cloud.store.get_resource(_child_id(call))
    if found is None or found.type != child_type.lower():
        raise models.child_not_found(child_type, call.params["child"])
    return arm_json(found.body)


@routes.delete(CHILD)
async def delete_child(call: Call) -> Response:
    child_type = _child_type(call)
    server = _parent(call, child_type, "delete", _child_id(call))
    found = call.cloud.store.get_resource(_child_id(call))
    if found is None or found.type != child_type.lower():
        return no_content(204)
    delete_one(call.cloud.store, found.id)
    return _accepted(call, server.body["location"], None)


@routes.get(SERVER + "/{collection}")
async def list_children(call: Call) -> Response:
    child_type = _child_type(call)
    server = _parent(call, child_type, "read", _server_id(call))
    return paged(
        call, [item.body for item in call.cloud.store.list_resources(parent=server.id, resource_type=child_type)]
    )


@routes.get(
    "/subscriptions/{subscription}/providers/" + PROVIDER + "/locations/{location}/azureAsyncOperation/{operation}"
)
async def mysql_operation_status(call: Call) -> Response:
    """MySQL's `Azure-AsyncOperation` URL; its `Location` is ARM's `operationResults`."""
    return await operation_status(call)
