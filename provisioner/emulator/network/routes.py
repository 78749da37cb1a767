"""Microsoft.Network routes: virtual networks (with subnets) and network interfaces."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from provisioner.emulator.arm.operations import async_headers, start_operation
from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.arm.tracked import (
    list_in_group,
    list_in_subscription,
    prepare_delete,
    prepare_write,
    read_existing,
    resource_path,
    tracked_base,
)
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.network.models import (
    NIC_TYPE,
    SUBNET_TYPE,
    VNET_TYPE,
    nic_body,
    subnets_in_use,
    vnet_body,
)
from provisioner.emulator.resources.cascade import delete_tree

routes = RouteTable(Surface.ARM)
PROVIDER = "Microsoft.Network"
GROUP_PROVIDER = "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network"
VNET = GROUP_PROVIDER + "/virtualNetworks/{name}"
NIC = GROUP_PROVIDER + "/networkInterfaces/{name}"


def _etag() -> str:
    return f'W/"{uuid.uuid4()}"'


@routes.put(VNET)
async def put_virtual_network(call: Call) -> Response:
    vnet_id = resource_path(call, PROVIDER, "virtualNetworks", call.params["name"])
    existing = prepare_write(call, vnet_id, VNET_TYPE)
    request = call.json()
    base = tracked_base(vnet_id, call.params["name"], VNET_TYPE, request, existing)
    body, subnets = vnet_body(base, request, _etag())
    store = call.cloud.store
    with store.transaction():
        if existing is not None:
            kept = {subnet["id"].lower() for subnet in subnets}
            for old in store.list_resources(parent=existing.id, resource_type=SUBNET_TYPE):
                if old.id.lower() not in kept:
                    store.delete_resource(old.id)
        store.put_resource(body["id"], VNET_TYPE, _group_scope(call), body)
        for subnet in subnets:
            store.put_resource(subnet["id"], SUBNET_TYPE, body["id"], subnet)
    headers = start_operation(call, provider=PROVIDER, location=body["location"])
    answer = body | {"properties": body["properties"] | {"provisioningState": "Updating"}}
    return arm_json(answer, 200 if existing else 201, async_headers(headers))


def _group_scope(call: Call) -> str:
    return f"/subscriptions/{call.params['subscription']}/resourceGroups/{call.params['group']}"


@routes.get(VNET)
async def get_virtual_network(call: Call) -> Response:
    vnet_id = resource_path(call, PROVIDER, "virtualNetworks", call.params["name"])
    return arm_json(read_existing(call, vnet_id, VNET_TYPE).body)


@routes.get(VNET + "/subnets/{subnet}")
async def get_subnet(call: Call) -> Response:
    vnet_id = resource_path(call, PROVIDER, "virtualNetworks", call.params["name"])
    read_existing(call, vnet_id, VNET_TYPE)
    found = call.cloud.store.get_resource(f"{vnet_id}/subnets/{call.params['subnet']}")
    if found is None:
        raise CloudServiceError(404, "NotFound", f"Resource {vnet_id}/subnets/{call.params['subnet']} not found.")
    return arm_json(found.body)


@routes.delete(VNET)
async def delete_virtual_network(call: Call) -> Response:
    vnet_id = resource_path(call, PROVIDER, "virtualNetworks", call.params["name"])
    found = prepare_delete(call, vnet_id, VNET_TYPE)
    if found is None:
        return no_content(204)
    users = subnets_in_use(call.cloud.store, found)
    if users:
        raise CloudServiceError(
            400,
            "InUseSubnetCannotBeDeleted",
            f"Subnet of virtual network {found.id} is in use by {users[0]} and cannot be deleted. In order to "
            "delete the subnet, delete all the resources within the subnet.",
        )
    delete_tree(call.cloud.store, found.id)
    return no_content(202, start_operation(call, provider=PROVIDER, location=found.body["location"]))


@routes.get(GROUP_PROVIDER + "/virtualNetworks")
async def list_virtual_networks(call: Call) -> Response:
    return list_in_group(call, VNET_TYPE)


@routes.get("/subscriptions/{subscription}/providers/Microsoft.Network/virtualNetworks")
async def list_all_virtual_networks(call: Call) -> Response:
    return list_in_subscription(call, VNET_TYPE)


@routes.put(NIC)
async def put_network_interface(call: Call) -> Response:
    nic_id = resource_path(call, PROVIDER, "networkInterfaces", call.params["name"])
    existing = prepare_write(call, nic_id, NIC_TYPE)
    request = call.json()
    base = tracked_base(nic_id, call.params["name"], NIC_TYPE, request, existing)
    body = nic_body(base, request, call.cloud.store, _etag())
    if existing is not None and "virtualMachine" in existing.body["properties"]:
        body["properties"]["virtualMachine"] = existing.body["properties"]["virtualMachine"]
    call.cloud.store.put_resource(body["id"], NIC_TYPE, _group_scope(call), body)
    headers = start_operation(call, provider=PROVIDER, location=body["location"])
    return arm_json(body, 200 if existing else 201, async_headers(headers))


@routes.get(NIC)
async def get_network_interface(call: Call) -> Response:
    nic_id = resource_path(call, PROVIDER, "networkInterfaces", call.params["name"])
    return arm_json(read_existing(call, nic_id, NIC_TYPE).body)


@routes.delete(NIC)
async def delete_network_interface(call: Call) -> Response:
    nic_id = resource_path(call, PROVIDER, "networkInterfaces", call.params["name"])
    found = prepare_delete(call, nic_id, NIC_TYPE)
    if found is None:
        return no_content(204)
    attached = found.body["properties"].get("virtualMachine")
    if attached:
        raise CloudServiceError(
            400,
            "NicInUse",
            f"Network Interface {found.id} is used by existing resource {attached['id']}. In order to delete "
            "the network interface, it must be dissociated from the resource. To learn more, see "
            "aka.ms/deletenic.",
        )
    call.cloud.store.delete_resource(found.id)
    return no_content(202, start_operation(call, provider=PROVIDER, location=found.body["location"]))


@routes.get(GROUP_PROVIDER + "/networkInterfaces")
async def list_network_interfaces(call: Call) -> Response:
    return list_in_group(call, NIC_TYPE)
