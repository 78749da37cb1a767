"""Microsoft.Sql routes for a server's Entra admin (`administrators/ActiveDirectory`, asynchronous as in
Azure) and its Entra-only switch (`azureADOnlyAuthentications/Default`)."""

from __future__ import annotations

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.sql.models import (
    AAD_ONLY_TYPE,
    ADMIN_NAME,
    ADMIN_TYPE,
    aad_only_body,
    admin_properties,
    child_not_found,
)
from provisioner.emulator.sql.operations import accepted
from provisioner.emulator.sql.routes import SERVER, aad_only_enabled, admin_of, parent_server, save_admin, server_id

routes = RouteTable(Surface.ARM)
ADMIN = SERVER + "/administrators/ActiveDirectory"
AAD_ONLY = SERVER + "/azureADOnlyAuthentications/Default"


def _server(call: Call, resource_type: str, verb: str, *, writing: bool = False) -> StoredResource:
    """The server, after authorizing `{type}/{verb}` on the child resource the call addresses."""
    child = "azureADOnlyAuthentications/Default" if resource_type == AAD_ONLY_TYPE else f"administrators/{ADMIN_NAME}"
    return parent_server(call, f"{resource_type}/{verb}", f"{server_id(call)}/{child}", writing=writing)


@routes.put(ADMIN)
async def put_administrator(call: Call) -> Response:
    server = _server(call, ADMIN_TYPE, "write", writing=True)
    request = call.json().get("properties") or {}
    store = call.cloud.store
    aad_only = aad_only_enabled(store, server.id)
    with store.transaction():
        save_admin(store, server.id, admin_properties(store, call.cloud.identity.tenant_id, request, aad_only))
    return accepted(call, location=server.body["location"], kind="administrator")


@routes.get(ADMIN)
async def get_administrator(call: Call) -> Response:
    server = _server(call, ADMIN_TYPE, "read")
    admin = admin_of(call.cloud.store, server.id)
    if admin is None:
        raise child_not_found(ADMIN_TYPE, ADMIN_NAME)
    return arm_json(admin.body)


@routes.delete(ADMIN)
async def delete_administrator(call: Call) -> Response:
    server = _server(call, ADMIN_TYPE, "delete")
    admin = admin_of(call.cloud.store, server.id)
    if admin is None:
        return no_content(204)
    if admin.body["properties"]["azureADOnlyAuthentication"]:
        raise CloudServiceError(
            400,
            "AadOnlyAuthenticationIsEnabled",
            "Azure Active Directory Only Authentication is enabled. Please contact your system administrator.",
        )
    call.cloud.store.delete_resource(admin.id)
    return accepted(call, location=server.body["location"], kind="administrator")


@routes.get(SERVER + "/administrators")
async def list_administrators(call: Call) -> Response:
    server = _server(call, ADMIN_TYPE, "read")
    admin = admin_of(call.cloud.store, server.id)
    return arm_json({"value": [admin.body] if admin else []})


@routes.get(AAD_ONLY)
async def get_aad_only(call: Call) -> Response:
    server = _server(call, AAD_ONLY_TYPE, "read")
    return arm_json(aad_only_body(server.id, aad_only_enabled(call.cloud.store, server.id)))


@routes.get(SERVER + "/azureADOnlyAuthentications")
async def list_aad_only(call: Call) -> Response:
    server = _server(call, AAD_ONLY_TYPE, "read")
    return arm_json({"value": [aad_only_body(server.id, aad_only_enabled(call.cloud.store, server.id))]})


@routes.put(AAD_ONLY)
async def put_aad_only(call: Call) -> Response:
    server = _server(call, AAD_ONLY_TYPE, "write", writing=True)
    enabled = (call.json().get("properties") or {}).get("azureADOnlyAuthentication")
    if not isinstance(enabled, bool):
        raise CloudServiceError(
            400,
            "InvalidParameterValue",
            "Invalid value given for parameter azureADOnlyAuthentication. Specify a valid parameter value.",
        )
    _set_aad_only(call, server, enabled)
    return arm_json(aad_only_body(server.id, enabled))


@routes.delete(AAD_ONLY)
async def delete_aad_only(call: Call) -> Response:
    server = _server(call, AAD_ONLY_TYPE, "delete")
    _set_aad_only(call, server, False)
    return no_content(200)


def _set_aad_only(call: Call, server: StoredResource, enabled: bool) -> None:
    """Entra-only authentication is a property of the Entra admin: there must be one to switch it."""
    store = call.cloud.store
    admin = admin_of(store, server.id)
    if admin is None:
        raise CloudServiceError(
            400,
            "InvalidServerAADOnlyAuthNoAADAdminPropertyName",
            "AAD Admin is not configured, AAD Admin must be set before enabling/disabling AAD Only Authentication.",
        )
    save_admin(store, server.id, admin.body["properties"] | {"azureADOnlyAuthentication": enabled})
