"""Microsoft Graph v1.0 routes: groups and members, service principals, users, directory objects."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import DirectoryObject
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.graph.directory import create_group, graph_view
from provisioner.emulator.graph.queries import graph_page, parse_filter, select

routes = RouteTable(Surface.GRAPH)
GROUP_READ = ("Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
GROUP_WRITE = ("Group.ReadWrite.All", "Directory.ReadWrite.All")
MEMBER_WRITE = ("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")
DIRECTORY_READ = ("Directory.Read.All", "Directory.ReadWrite.All")
SP_READ = ("Application.Read.All", "Application.ReadWrite.All", *DIRECTORY_READ)
USER_READ = ("User.Read.All", "User.ReadWrite.All", *DIRECTORY_READ)
_OBJECT_REF = re.compile(r"/directoryObjects/([0-9a-fA-F-]{36})/?$")
_REQUIRED_GROUP_FIELDS = {
    "displayName": str,
    "mailEnabled": bool,
    "mailNickname": str,
    "securityEnabled": bool,
}


def require_role(call: Call, any_of: tuple[str, ...]) -> None:
    if not set(call.caller.roles) & set(any_of):
        raise CloudServiceError(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        )


def not_found(object_id: str) -> CloudServiceError:
    return CloudServiceError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def object_of_kind(call: Call, object_id: str, kind: str | None = None) -> DirectoryObject:
    found = call.cloud.store.get_directory_object(object_id)
    if found is None or (kind is not None and found.kind != kind):
        raise not_found(object_id)
    return found


def _single(call: Call, obj: DirectoryObject, collection: str) -> Response:
    body = {
        "@odata.context": f"{call.base_url}/v1.0/$metadata#{collection}/$entity",
        **select(graph_view(obj), call),
    }
    return arm_json(body)


# ---- groups ---------------------------------------------------------------------------------


@routes.post("/v1.0/groups")
async def create_group_route(call: Call) -> Response:
    require_role(call, GROUP_WRITE)
    request = call.json()
    for field, expected in _REQUIRED_GROUP_FIELDS.items():
        if field not in request:
            raise CloudServiceError(
                400, "Request_BadRequest", f"A value is required for property '{field}' of resource 'Group'."
            )
        if not isinstance(request[field], expected):
            raise CloudServiceError(
                400,
                "Request_BadRequest",
                f"Invalid value specified for property '{field}' of resource 'Group'.",
            )
    store = call.cloud.store
    members = [_referenced_id(call, ref) for ref in request.get("members@odata.bind", [])]
    with store.transaction():
        group = create_group(store, request)
        for member in members:
            store.add_member(group.id, member)
    return arm_json({"@odata.context": f"{call.base_url}/v1.0/$metadata#groups/$entity", **group.body}, 201)


@routes.get("/v1.0/groups")
async def list_groups(call: Call) -> Response:
    require_role(call, GROUP_READ)
    matches = parse_filter(call.query_value("$filter"), ("displayName", "mailNickname", "securityEnabled", "id"))
    groups = [graph_view(group) for group in call.cloud.store.find_directory_objects(kind="group")]
    return graph_page(call, [group for group in groups if matches(group)], "groups")


@routes.get("/v1.0/groups/{id}")
async def get_group(call: Call) -> Response:
    require_role(call, GROUP_READ)
    return _single(call, object_of_kind(call, call.params["id"], "group"), "groups")


@routes.patch("/v1.0/groups/{id}")
async def update_group(call: Call) -> Response:
    require_role(call, GROUP_WRITE)
    group = object_of_kind(call, call.params["id"], "group")
    changes = {key: value for key, value in call.json().items() if key in ("displayName", "description")}
    body = group.body | changes
    call.cloud.store.put_directory_object(
        DirectoryObject(group.id, group.kind, None, body["displayName"], body, group.visible_at)
    )
    return no_content(204)


@routes.delete("/v1.0/groups/{id}")
async def delete_group(call: Call) -> Response:
    require_role(call, GROUP_WRITE)
    object_of_kind(call, call.params["id"], "group")
    call.cloud.store.delete_directory_object(call.params["id"].lower())
    return no_content(204)


# ---- members --------------------------------------------------------------------------------


def _referenced_id(call: Call, reference: Any) -> str:
    match = _OBJECT_REF.search(str(reference))
    if match is None:
        raise CloudServiceError(400, "Request_BadRequest", f"Invalid object identifier '{reference}'.")
    return object_of_kind(call, match.group(1)).id


@routes.post("/v1.0/groups/{id}/members/$ref")
async def add_member(call: Call) -> Response:
    require_role(call, MEMBER_WRITE)
    group = object_of_kind(call, call.params["id"], "group")
    member = _referenced_id(call, call.json().get("@odata.id"))
    if not call.cloud.store.add_member(group.id, member):
        raise CloudServiceError(
            400,
            "Request_BadRequest",
            "One or more added object references already exist for the following modified properties: 'members'.",
        )
    return no_content(204)


@routes.delete("/v1.0/groups/{id}/members/{member}/$ref")
async def remove_member(call: Call) -> Response:
    require_role(call, MEMBER_WRITE)
    group = object_of_kind(call, call.params["id"], "group")
    if not call.cloud.store.remove_member(group.id, call.params["member"].lower()):
        raise not_found(call.params["member"])
    return no_content(204)


@routes.get("/v1.0/groups/{id}/members")
async def list_members(call: Call) -> Response:
    require_role(call, GROUP_READ)
    group = object_of_kind(call, call.params["id"], "group")
    store = call.cloud.store
    members = [store.get_directory_object(member) for member in store.members_of(group.id)]
    return graph_page(call, [graph_view(item) for item in members if item is not None], "directoryObjects")


@routes.get("/v1.0/{collection}/{id}/transitiveMemberOf")
async def transitive_member_of(call: Call) -> Response:
    require_role(call, GROUP_READ)
    obj = object_of_kind(call, call.params["id"])
    store = call.cloud.store
    groups = [store.get_directory_object(group_id) for group_id in sorted(store.groups_of(obj.id))]
    return graph_page(call, [graph_view(item) for item in groups if item is not None], "directoryObjects")


# ---- service principals, users, directory objects -------------------------------------------


@routes.get("/v1.0/servicePrincipals")
async def list_service_principals(call: Call) -> Response:
    require_role(call, SP_READ)
    matches = parse_filter(
        call.query_value("$filter"), ("appId", "displayName", "servicePrincipalType", "id", "servicePrincipalNames")
    )
    found = [graph_view(sp) for sp in call.cloud.store.find_directory_objects(kind="servicePrincipal")]
    return graph_page(call, [sp for sp in found if matches(sp)], "servicePrincipals")


@routes.get("/v1.0/servicePrincipals(appId='{app_id}')")
async def get_service_principal_by_app_id(call: Call) -> Response:
    require_role(call, SP_READ)
    found = call.cloud.store.find_directory_objects(kind="servicePrincipal", app_id=call.params["app_id"])
    if not found:
        raise not_found(call.params["app_id"])
    return _single(call, found[0], "servicePrincipals")


@routes.get("/v1.0/servicePrincipals/{id}")
async def get_service_principal(call: Call) -> Response:
    require_role(call, SP_READ)
    return _single(call, object_of_kind(call, call.params["id"], "servicePrincipal"), "servicePrincipals")


@routes.get("/v1.0/users")
async def list_users(call: Call) -> Response:
    require_role(call, USER_READ)
    matches = parse_filter(call.query_value("$filter"), ("userPrincipalName", "displayName", "mail", "id"))
    users = [graph_view(user) for user in call.cloud.store.find_directory_objects(kind="user")]
    return graph_page(call, [user for user in users if matches(user)], "users")


@routes.get("/v1.0/users/{id}")
async def get_user(call: Call) -> Response:
    require_role(call, USER_READ)
    key = call.params["id"]
    if "@" in key:
        users = call.cloud.store.find_directory_objects(kind="user")
        matched = [user for user in users if user.body["userPrincipalName"].lower() == key.lower()]
        if not matched:
            raise not_found(key)
        return _single(call, matched[0], "users")
    return _single(call, object_of_kind(call, key, "user"), "users")


@routes.get("/v1.0/directoryObjects/{id}")
async def get_directory_object(call: Call) -> Response:
    require_role(call, DIRECTORY_READ)
    return _single(call, object_of_kind(call, call.params["id"]), "directoryObjects")


@routes.post("/v1.0/directoryObjects/getByIds")
async def get_directory_objects_by_ids(call: Call) -> Response:
    require_role(call, DIRECTORY_READ)
    ids = call.json().get("ids") or []
    store = call.cloud.store
    found = [store.get_directory_object(str(object_id).lower()) for object_id in ids]
    return graph_page(call, [graph_view(item) for item in found if item is not None], "directoryObjects")


@routes.post("/v1.0/directoryObjects/{id}/checkMemberGroups")
async def check_member_groups(call: Call) -> Response:
    """Which of `groupIds` the object is a member of, directly or through other groups."""
    require_role(call, DIRECTORY_READ)
    obj = object_of_kind(call, call.params["id"])
    wanted = call.json().get("groupIds")
    if not isinstance(wanted, list) or not all(isinstance(group, str) for group in wanted):
        raise CloudServiceError(400, "Request_BadRequest", "Invalid value specified for property 'groupIds'.")
    groups = {group.lower() for group in call.cloud.store.groups_of(obj.id)}
    return arm_json(
        {
            "@odata.context": f"{call.base_url}/v1.0/$metadata#Collection(Edm.String)",
            "value": [group for group in wanted if group.lower() in groups],
        }
    )
