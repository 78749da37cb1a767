"""Microsoft.Network routes: virtual networks (with subnets) and network interfaces."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.operations import async_headers, start_operation
from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.arm.tracked import group_scope, prepare_write, read_existing, tracked_base
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.network import models
from provisioner.emulator.network.models import NIC_TYPE, VNET_TYPE, nic_body, vnet_body

routes = RouteTable(Surface.ARM)
PROVIDER = "Microsoft.Network"
VIRTUAL_NETWORKS = TrackedType(
    PROVIDER,
    "virtualNetworks",
    "virtual_network",
    "virtual_networks",
    delete=models.delete_virtual_network,
    delete_async=True,
)
NETWORK_INTERFACES = TrackedType(
    PROVIDER,
    "networkInterfaces",
    "network_interface",
    "network_interfaces",
    delete=models.delete_network_interface,
    delete_async=True,
    by_subscription=False,
)
add_tracked_routes(routes, VIRTUAL_NETWORKS)
add_tracked_routes(routes, NETWORK_INTERFACES)


def _etag() -> str:
    return f'W/"{uuid.uuid4()}"'


@routes.put(VIRTUAL_NETWORKS.item)
async def put_virtual_network(call: Call) -> Response:
    vnet_id = VIRTUAL_NETWORKS.resource_id(call)
    existing = prepare_write(call, vnet_id, VNET_TYPE)
    request = call.json()
    base = tracked_base(vnet_id, call.params["name"], VNET_TYPE, request, existing)
    body, subnets = vnet_body(base, request, _etag())
    models.save_virtual_network(call.cloud.store, body, subnets, existing, group_scope(call))
    headers = start_operation(call, provider=PROVIDER, location=body["location"])
    answer = body | {"properties": body["properties"] | {"provisioningState": "Updating"}}
    return arm_json(answer, 200 if existing else 201, async_headers(headers))


@routes.get(VIRTUAL_NETWORKS.item + "/subnets/{subnet}")
async def get_subnet(call: Call) -> Response:
    vnet_id = VIRTUAL_NETWORKS.resource_id(call)
    read_existing(call, vnet_id, VNET_TYPE)
    return arm_json(models.get_subnet(call.cloud.store, vnet_id, call.params["subnet"]).body)


@routes.put(NETWORK_INTERFACES.item)
async def put_network_interface(call: Call) -> Response:
    nic_id = NETWORK_INTERFACES.resource_id(call)
    existing = prepare_write(call, nic_id, NIC_TYPE)
    request = call.json()
    base = tracked_base(nic_id, call.params["name"], NIC_TYPE, request, existing)
    body = nic_body(base, request, call.cloud.store, _etag())
    models.save_network_interface(call.cloud.store, body, existing, group_scope(call))
    headers = start_operation(call, provider=PROVIDER, location=body["location"])
    return arm_json(body, 200 if existing else 201, async_headers(headers))
