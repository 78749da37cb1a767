"""Microsoft.Compute routes: virtual machines (create/replace, update, get, list, delete), all
asynchronous as in Azure, with the identity block that creates and deletes service principals."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.operations import async_headers, start_operation
from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.arm.tracked import (
    now_iso,
    prepare_write,
    read_existing,
    resource_path,
    tracked_base,
)
from provisioner.emulator.compute.models import (
    MAX_VM_USER_ASSIGNED_NAME,
    VM_TYPE,
    attach_nics,
    check_vm_request,
    nic_ids_of,
    vm_properties,
)
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.managedidentity.identity_block import identity_for_write
from provisioner.emulator.resources.cascade import delete_resource, on_delete

routes = RouteTable(Surface.ARM)
PROVIDER = "Microsoft.Compute"


def _view(body: dict[str, Any], call: Call) -> dict[str, Any]:
    """`$expand=instanceView` adds the VM's statuses (az vm create and vm show -d read its power state)."""
    if (call.query_value("$expand") or "").lower() != "instanceview":
        return body
    statuses = [
        {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded"},
        {"code": "PowerState/running", "level": "Info", "displayStatus": "VM running"},
    ]
    instance_view = {"computerName": body["properties"].get("osProfile", {}).get("computerName"), "statuses": statuses}
    return body | {"properties": body["properties"] | {"instanceView": instance_view}}


VIRTUAL_MACHINES = TrackedType(
    PROVIDER,
    "virtualMachines",
    "virtual_machine",
    "virtual_machines",
    delete=delete_resource,
    delete_async=True,
    view=_view,
)
add_tracked_routes(routes, VIRTUAL_MACHINES)
VM = VIRTUAL_MACHINES.item


def _vm_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "virtualMachines", call.params["name"])


def _identity(call: Call, vm: dict[str, Any], previous: StoredResource | None, request: Any, *, patch: bool) -> Any:
    return identity_for_write(
        call,
        owner_id=vm["id"],
        owner_name=vm["name"],
        previous=previous,
        requested=request.get("identity"),
        patch=patch,
        max_user_assigned_name=MAX_VM_USER_ASSIGNED_NAME,
    )


def _save(call: Call, body: dict[str, Any], previous: StoredResource | None) -> None:
    store = call.cloud.store
    group_scope = body["id"].split("/providers/")[0]
    attach_nics(store, body["id"], nic_ids_of(body), nic_ids_of(previous.body) if previous else [])
    store.put_resource(body["id"], VM_TYPE, group_scope, body)


def _accepted(call: Call, body: dict[str, Any], status: int, state: str) -> Response:
    headers = start_operation(call, provider=PROVIDER, location=body["location"])
    answer = body | {"properties": body["properties"] | {"provisioningState": state}}
    return arm_json(answer, status, async_headers(headers))


@routes.put(VM)
async def put_virtual_machine(call: Call) -> Response:
    vm_id, name = _vm_id(call), call.params["name"]
    existing = prepare_write(call, vm_id, VM_TYPE)
    request = call.json()
    base = tracked_base(vm_id, name, VM_TYPE, request, existing)
    check_vm_request(request, call.cloud.store, base["id"])
    with call.cloud.store.transaction():
        body = base | {
            "properties": vm_properties(request, existing.body["properties"] if existing else None, now_iso())
        }
        identity = _identity(call, base, existing, request, patch=False)
        if identity is not None:
            body["identity"] = identity
        if request.get("zones"):
            body["zones"] = request["zones"]
        _save(call, body, existing)
    return _accepted(call, body, 200 if existing else 201, "Updating" if existing else "Creating")


@routes.patch(VM)
async def update_virtual_machine(call: Call) -> Response:
    vm_id = _vm_id(call)
    existing = read_existing(call, vm_id, VM_TYPE, action="write")
    changes = call.json()
    body = dict(existing.body)
    with call.cloud.store.transaction():
        if "tags" in changes:
            body["tags"] = changes["tags"] or {}
        if "identity" in changes:
            identity = _identity(call, existing.body, existing, changes, patch=True)
            body.pop("identity", None)
            if identity is not None:
                body["identity"] = identity
        if changes.get("properties"):
            body["properties"] = _merge_properties(body["properties"], changes["properties"])
        _save(call, body, existing)
    return _accepted(call, body, 200, "Updating")


def _merge_properties(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in changes.items():
        if key == "osProfile" and isinstance(value, dict):
            without_password = {name: item for name, item in value.items() if name != "adminPassword"}
            merged[key] = {**current.get(key, {}), **without_password}
        elif key not in ("vmId", "timeCreated", "provisioningState"):
            merged[key] = value
    return merged


@on_delete
def _release_nics(store: Store, resource: StoredResource) -> None:
    if resource.type == VM_TYPE.lower():
        attach_nics(store, resource.id, [], nic_ids_of(resource.body))
