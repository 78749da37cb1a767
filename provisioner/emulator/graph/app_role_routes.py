"""Graph v1.0 `servicePrincipals/{id}/appRoleAssignments`: application permissions granted to a service
principal, refused as Graph refuses them (an equal assignment, a role the resource does not define)."""

from __future__ import annotations

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.graph.app_roles import add_assignment, assignments_of, remove_assignment
from provisioner.emulator.graph.queries import graph_page
from provisioner.emulator.graph.routes import SP_READ, not_found, object_of_kind, require_role

routes = RouteTable(Surface.GRAPH)
ASSIGNMENT_WRITE = ("AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All")
_PATH = "/v1.0/servicePrincipals/{id}/appRoleAssignments"


def _bad_request(message: str) -> CloudServiceError:
    return CloudServiceError(400, "Request_BadRequest", message)


def _text_property(request: dict[str, object], name: str) -> str:
    value = request.get(name)
    if not isinstance(value, str) or not value:
        raise _bad_request(f"Invalid value specified for property '{name}' of resource 'AppRoleAssignment'.")
    return value.lower()


@routes.post(_PATH)
async def create_app_role_assignment(call: Call) -> Response:
    require_role(call, ASSIGNMENT_WRITE)
    principal = object_of_kind(call, call.params["id"], "servicePrincipal")
    request = call.json()
    if _text_property(request, "principalId") != principal.id:
        raise _bad_request("Invalid value specified for property 'principalId' of resource 'AppRoleAssignment'.")
    resource = object_of_kind(call, _text_property(request, "resourceId"), "servicePrincipal")
    app_role_id = _text_property(request, "appRoleId")
    if app_role_id not in {str(role.get("id", "")).lower() for role in resource.body.get("appRoles", [])}:
        raise _bad_request(f"Permission being assigned was not found on application '{resource.app_id}'.")
    created = add_assignment(call.cloud.store, principal, resource, app_role_id)
    if created is None:
        raise _bad_request("Permission being assigned already exists on the object.")
    context = f"{call.base_url}/v1.0/$metadata#servicePrincipals('{principal.id}')/appRoleAssignments/$entity"
    return arm_json({"@odata.context": context, **created.body}, 201)


@routes.get(_PATH)
async def list_app_role_assignments(call: Call) -> Response:
    require_role(call, SP_READ)
    principal = object_of_kind(call, call.params["id"], "servicePrincipal")
    found = [assignment.body for assignment in assignments_of(call.cloud.store, principal.id)]
    return graph_page(call, found, f"servicePrincipals('{principal.id}')/appRoleAssignments")


@routes.delete(_PATH + "/{assignment}")
async def delete_app_role_assignment(call: Call) -> Response:
    require_role(call, ASSIGNMENT_WRITE)
    principal = object_of_kind(call, call.params["id"], "servicePrincipal")
    if not remove_assignment(call.cloud.store, principal.id, call.params["assignment"]):
        raise not_found(call.params["assignment"])
    return no_content(204)
