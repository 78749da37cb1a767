"""What every resource provider does the same way on a write or a read: authorize, find the group,
404 in ARM's words, the tracked base of a body (location, tags), timestamps. The shared routes
(GET, DELETE, lists) are in crud.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from provisioner.emulator.arm.authz import authorize
from provisioner.emulator.arm.ids import group_id
from provisioner.emulator.arm.regions import check_location
from provisioner.emulator.arm.scopes import require_group, resource_not_found
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def resource_path(call: Call, provider: str, *type_and_names: str) -> str:
    """The resource's id built from the path parameters `subscription` and `group`."""
    return (
        f"/subscriptions/{call.params['subscription']}/resourceGroups/{call.params['group']}"
        f"/providers/{provider}/" + "/".join(type_and_names)
    )


def group_scope(call: Call) -> str:
    """The id of the resource group named by the path parameters `subscription` and `group`."""
    return group_id(call.params["subscription"], call.params["group"])


def prepare_write(call: Call, resource_id: str, resource_type: str) -> StoredResource | None:
    """Authorize `{type}/write` and check the group; the existing resource, if any."""
    authorize(call, f"{resource_type}/write", resource_id)
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    return call.cloud.store.get_resource(resource_id)


def read_existing(call: Call, resource_id: str, resource_type: str, action: str = "read") -> StoredResource:
    """Authorize `{type}/{action}`, check the group, and return the resource or 404 ResourceNotFound."""
    authorize(call, f"{resource_type}/{action}", resource_id)
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    found = call.cloud.store.get_resource(resource_id)
    if found is None or found.type != resource_type.lower():
        raise resource_not_found(resource_id)
    return found


def prepare_delete(call: Call, resource_id: str, resource_type: str) -> StoredResource | None:
    """Authorize `{type}/delete`; the resource, or None when it is already gone (204)."""
    authorize(call, f"{resource_type}/delete", resource_id)
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    found = call.cloud.store.get_resource(resource_id)
    return found if found is not None and found.type == resource_type.lower() else None


def tracked_base(
    resource_id: str, name: str, resource_type: str, request: dict[str, Any], existing: StoredResource | None
) -> dict[str, Any]:
    """id, name, type, location (validated; it cannot change) and tags of a tracked resource."""
    location = check_location(request.get("location"), kind="resource type")
    if existing is not None and existing.body["location"] != location:
        raise CloudServiceError(
            400,
            "InvalidResourceLocation",
            f"The resource '{name}' already exists in location '{existing.body['location']}' in resource group "
            f"'{resource_id.split('/')[4]}'. A resource with the same name cannot be created in location "
            f"'{location}'. Please select a new resource name.",
        )
    body: dict[str, Any] = {
        "id": existing.id if existing else resource_id,
        "name": existing.body["name"] if existing else name,
        "type": resource_type,
        "location": location,
    }
    tags = request.get("tags")
    if tags:
        body["tags"] = tags
    return body


def parent_of_child(
    call: Call, action: str, child_id: str, parent_id: str, parent_type: str, *, writing: bool = False
) -> StoredResource:
    """Authorize `action` on a child resource; its parent, or ARM's 404 for a missing parent (on a write
    `ParentResourceNotFound`, on a read the parent's ResourceNotFound)."""
    authorize(call, action, child_id)
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    found = call.cloud.store.get_resource(parent_id)
    if found is not None and found.type == parent_type.lower():
        return found
    if writing:
        raise CloudServiceError(
            404,
            "ParentResourceNotFound",
            f"Can not perform requested operation on nested resource. Parent resource '{parent_id.rsplit('/', 1)[-1]}' "
            "not found.",
        )
    raise resource_not_found(parent_id)


def name_taken(store: Store, resource_type: str, name: str, resource_id: str) -> bool:
    """Whether another resource of a type with global names (DNS names) already has `name`."""
    return any(
        found.body["name"].lower() == name.lower() and found.id.lower() != resource_id.lower()
        for found in store.list_resources(resource_type=resource_type)
    )
