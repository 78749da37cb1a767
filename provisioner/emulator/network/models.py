"""Virtual networks, subnets and NICs: shapes and the references between them."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.resources.cascade import delete_tree

VNET_TYPE = "Microsoft.Network/virtualNetworks"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
NIC_TYPE = "Microsoft.Network/networkInterfaces"


def _network(prefix: object, field: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(prefix), strict=True)
    except ValueError as exc:
        raise CloudServiceError(
            400, "InvalidAddressPrefixFormat", f"Address prefix {prefix} of {field} is not in a valid format."
        ) from exc


def vnet_body(base: dict[str, Any], request: dict[str, Any], etag: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The VNet body and its subnets (each a resource of its own, as in ARM)."""
    properties = request.get("properties") or {}
    prefixes = (properties.get("addressSpace") or {}).get("addressPrefixes") or []
    if not prefixes:
        raise CloudServiceError(400, "InvalidRequestFormat", "Cannot parse the request: addressSpace is required.")
    networks = [_network(prefix, "virtual network") for prefix in prefixes]
    subnets = [_subnet_body(base["id"], subnet, networks, etag) for subnet in properties.get("subnets") or []]
    body = base | {
        "etag": etag,
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": str(uuid.uuid4()),
            "addressSpace": {"addressPrefixes": list(prefixes)},
            "subnets": subnets,
            "virtualNetworkPeerings": [],
            "enableDdosProtection": False,
        },
    }
    return body, subnets


def _subnet_body(
    vnet_id: str, subnet: dict[str, Any], networks: list[ipaddress.IPv4Network], etag: str
) -> dict[str, Any]:
    name = subnet.get("name")
    prefix = (subnet.get("properties") or {}).get("addressPrefix")
    if not name or not prefix:
        raise CloudServiceError(400, "InvalidRequestFormat", "Each subnet needs a name and an addressPrefix.")
    network = _network(prefix, f"subnet {name}")
    if not any(network.subnet_of(outer) for outer in networks):
        raise CloudServiceError(
            400,
            "NetcfgSubnetRangeOutsideVnet",
            f"Subnet '{name}' is not valid because its IP address range is outside the IP address range of "
            "virtual network.",
        )
    return {
        "name": name,
        "id": f"{vnet_id}/subnets/{name}",
        "etag": etag,
        "type": SUBNET_TYPE,
        "properties": {"provisioningState": "Succeeded", "addressPrefix": prefix},
    }


def subnets_in_use(store: Store, vnet: StoredResource) -> list[str]:
    """NICs whose IP configurations use one of the VNet's subnets."""
    prefix = vnet.id.lower() + "/subnets/"
    users = []
    for nic in store.list_resources(resource_type=NIC_TYPE):
        for config in nic.body["properties"]["ipConfigurations"]:
            if config["properties"]["subnet"]["id"].lower().startswith(prefix):
                users.append(nic.id)
    return users


def nic_body(base: dict[str, Any], request: dict[str, Any], store: Store, etag: str) -> dict[str, Any]:
    configs = (request.get("properties") or {}).get("ipConfigurations") or []
    if not configs:
        raise CloudServiceError(
            400, "InvalidRequestFormat", "Network interface must have at least one IP configuration."
        )
    ip_configurations = [
        _ip_configuration(base["id"], config, store, index, etag) for index, config in enumerate(configs)
    ]
    return base | {
        "etag": etag,
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": str(uuid.uuid4()),
            "ipConfigurations": ip_configurations,
            "dnsSettings": {"dnsServers": [], "appliedDnsServers": []},
            "enableAcceleratedNetworking": False,
            "enableIPForwarding": False,
            "primary": True,
            "nicType": "Standard",
        },
    }


def _ip_configuration(nic_id: str, config: dict[str, Any], store: Store, index: int, etag: str) -> dict[str, Any]:
    name = config.get("name") or f"ipconfig{index + 1}"
    subnet_id = ((config.get("properties") or {}).get("subnet") or {}).get("id")
    subnet = store.get_resource(subnet_id) if subnet_id else None
    if subnet is None:
        raise CloudServiceError(
            400,
            "InvalidResourceReference",
            f"Resource {subnet_id} referenced by resource {nic_id} was not found. Please make sure that the "
            "referenced resource exists, and that both resources are in the same region.",
        )
    network = ipaddress.IPv4Network(subnet.body["properties"]["addressPrefix"])
    address = _free_address(store, subnet.id, network, nic_id)
    return {
        "name": name,
        "id": f"{nic_id}/ipConfigurations/{name}",
        "etag": etag,
        "type": f"{NIC_TYPE}/ipConfigurations",
        "properties": {
            "provisioningState": "Succeeded",
            "privateIPAddress": address,
            "privateIPAllocationMethod": "Dynamic",
            "subnet": {"id": subnet.id},
            "primary": index == 0,
            "privateIPAddressVersion": "IPv4",
        },
    }


def _free_address(store: Store, subnet_id: str, network: ipaddress.IPv4Network, nic_id: str) -> str:
    """The first address from .4 up (Azure reserves .0 to .3) not used by another NIC in the subnet."""
    used = set()
    for nic in store.list_resources(resource_type=NIC_TYPE):
        if nic.id.lower() == nic_id.lower():
            continue
        for config in nic.body["properties"]["ipConfigurations"]:
            if config["properties"]["subnet"]["id"].lower() == subnet_id.lower():
                used.add(config["properties"]["privateIPAddress"])
    for offset in range(4, network.num_addresses - 1):
        candidate = str(network.network_address + offset)
        if candidate not in used:
            return candidate
    raise CloudServiceError(
        400,
        "SubnetIsFull",
        f"Subnet {subnet_id} with address prefix {network} does not have enough capacity.",
    )


def save_virtual_network(
    store: Store, body: dict[str, Any], subnets: list[dict[str, Any]], existing: StoredResource | None, parent: str
) -> None:
    """The VNet and its subnets, in one transaction; subnets the new body leaves out are deleted."""
    with store.transaction():
        if existing is not None:
            kept = {subnet["id"].lower() for subnet in subnets}
            for old in store.list_resources(parent=existing.id, resource_type=SUBNET_TYPE):
                if old.id.lower() not in kept:
                    store.delete_resource(old.id)
        store.put_resource(body["id"], VNET_TYPE, parent, body)
        for subnet in subnets:
            store.put_resource(subnet["id"], SUBNET_TYPE, body["id"], subnet)


def get_subnet(store: Store, vnet_id: str, name: str) -> StoredResource:
    found = store.get_resource(f"{vnet_id}/subnets/{name}")
    if found is None:
        raise CloudServiceError(404, "NotFound", f"Resource {vnet_id}/subnets/{name} not found.")
    return found


def delete_virtual_network(store: Store, vnet: StoredResource) -> None:
    """Refused while a NIC uses one of its subnets, as Azure does."""
    users = subnets_in_use(store, vnet)
    if users:
        raise CloudServiceError(
            400,
            "InUseSubnetCannotBeDeleted",
            f"Subnet of virtual network {vnet.id} is in use by {users[0]} and cannot be deleted. In order to "
            "delete the subnet, delete all the resources within the subnet.",
        )
    delete_tree(store, vnet.id)


def save_network_interface(store: Store, body: dict[str, Any], existing: StoredResource | None, parent: str) -> None:
    """The NIC; the VM it is attached to (set by Compute, not by the request) stays."""
    if existing is not None and "virtualMachine" in existing.body["properties"]:
        body["properties"]["virtualMachine"] = existing.body["properties"]["virtualMachine"]
    store.put_resource(body["id"], NIC_TYPE, parent, body)


def delete_network_interface(store: Store, nic: StoredResource) -> None:
    """Refused while a VM uses it, as Azure does."""
    attached = nic.body["properties"].get("virtualMachine")
    if attached:
        raise CloudServiceError(
            400,
            "NicInUse",
            f"Network Interface {nic.id} is used by existing resource {attached['id']}. In order to delete "
            "the network interface, it must be dissociated from the resource. To learn more, see "
            "aka.ms/deletenic.",
        )
    store.delete_resource(nic.id)
