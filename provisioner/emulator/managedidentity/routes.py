"""Microsoft.ManagedIdentity routes: user-assigned identities, each with its service principal."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.authz import authorize
from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.arm.scopes import require_scope, resource_not_found
from provisioner.emulator.arm.tracked import (
    prepare_write,
    read_existing,
    tracked_base,
)
from provisioner.emulator.auth.attached import attached_identities
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.graph.directory import create_managed_identity_principal
from provisioner.emulator.resources.cascade import delete_resource

routes = RouteTable(Surface.ARM)
UAI_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
GROUP_PROVIDER = "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity"
# `isolationScope` is in the answers from 2024-11-30 on (the 2023-01-31 examples lack it; recorded
# at 2018-11-30 without it).
ISOLATION_SCOPE_SINCE = "2024-11-30"


def _view(body: dict[str, Any], call: Call) -> dict[str, Any]:
    if call.api_version >= ISOLATION_SCOPE_SINCE:
        return body
    properties = {key: value for key, value in body["properties"].items() if key != "isolationScope"}
    return body | {"properties": properties}


USER_ASSIGNED_IDENTITIES = TrackedType(
    "Microsoft.ManagedIdentity",
    "userAssignedIdentities",
    "user_assigned_identity",
    "user_assigned_identities",
    delete=delete_resource,
    view=_view,
    group_segment="resourcegroups",
)
add_tracked_routes(routes, USER_ASSIGNED_IDENTITIES)
UAI = USER_ASSIGNED_IDENTITIES.item
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$")


def _uai_id(call: Call) -> str:
    # Azure answers with a lower-case `resourcegroups` segment for identities.
    return (
        f"/subscriptions/{call.params['subscription']}/resourcegroups/{call.params['group']}"
        f"/providers/{UAI_TYPE}/{call.params['name']}"
    )


@routes.put(UAI)
async def put_user_assigned_identity(call: Call) -> Response:
    name = call.params["name"]
    if not _NAME.match(name):
        raise CloudServiceError(
            400,
            "InvalidResourceName",
            f"Resource name {name} is invalid. The name can be 3-128 characters long, can contain only letters, "
            "digits, hyphens and underscores, and must start with a letter or digit.",
        )
    uai_id = _uai_id(call)
    existing = prepare_write(call, uai_id, UAI_TYPE)
    base = tracked_base(uai_id, name, UAI_TYPE, call.json(), existing)
    with call.cloud.store.transaction():
        if existing is not None:
            properties = existing.body["properties"]
        else:
            principal = create_managed_identity_principal(
                call.cloud.store,
                display_name=name,
                resource_id=uai_id,
                replication_delay=call.cloud.faults.settings.replication_delay,
            )
            properties = {
                "tenantId": call.cloud.identity.tenant_id,
                "principalId": principal.principal_id,
                "clientId": principal.client_id,
                "isolationScope": "None",
            }
        body = base | {"properties": properties}
        call.cloud.store.put_resource(body["id"], UAI_TYPE, body["id"].split("/providers/")[0], body)
    if existing is not None:
        return arm_json(_view(body, call))
    # A create answers with a Location header naming the new identity (a relative path), as recorded.
    return arm_json(_view(body, call), 201, headers={"Location": body["id"]})


@routes.patch(UAI)
async def update_user_assigned_identity(call: Call) -> Response:
    found = read_existing(call, _uai_id(call), UAI_TYPE, action="write")
    changes = call.json()
    body = dict(found.body)
    if "tags" in changes:
        body["tags"] = changes["tags"] or {}
    call.cloud.store.put_resource(found.id, found.type, found.parent, body)
    return arm_json(_view(body, call))


@routes.get("{scope:path}/providers/Microsoft.ManagedIdentity/identities/default")
async def get_system_assigned_identity(call: Call) -> Response:
    scope = call.params["scope"]
    authorize(call, "Microsoft.ManagedIdentity/identities/read", scope)
    require_scope(call.cloud, scope)
    owner = call.cloud.store.get_resource(scope)
    system = [item for item in attached_identities(call.cloud.store, owner) if item.system] if owner else []
    if owner is None or not system:
        raise resource_not_found(scope)
    return arm_json(_system_identity_body(call, owner.body, system[0].principal_id, system[0].client_id))


def _system_identity_body(call: Call, owner: dict[str, Any], principal_id: str, client_id: str) -> dict[str, Any]:
    return {
        "id": f"{owner['id']}/providers/Microsoft.ManagedIdentity/identities/default",
        "name": "default",
        "type": "Microsoft.ManagedIdentity/Identities",
        "location": owner.get("location"),
        "tags": owner.get("tags", {}),
        "properties": {
            "tenantId": call.cloud.identity.tenant_id,
            "principalId": principal_id,
            "clientId": client_id,
            "clientSecretUrl": f"{call.base_url}/_msi/{principal_id}/credentials",
        },
    }
