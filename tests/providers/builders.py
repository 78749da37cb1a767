"""Resources other tests stand on, created through the providers themselves."""

from __future__ import annotations

from collections.abc import Mapping

from provisioner.azure.clients import Clients
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Observed
from tests.providers.conftest import desired

LOCATION = "westus"
VM_PASSWORD = "Sup3r-Secret-Pa55!"


def make(
    clients: Clients, kind: str, values: Mapping[str, object], *, secrets: Mapping[str, str] | None = None
) -> Observed:
    return PROVIDERS[kind].create(RunContext(clients), desired(kind, values, secrets=secrets))


def group(clients: Clients, name: str) -> Observed:
    return make(clients, "resource_group", {"name": name, "location": LOCATION})


def subnet(clients: Clients, group_name: str, name: str) -> str:
    vnet = make(
        clients,
        "virtual_network",
        {
            "name": name,
            "resource_group": group_name,
            "address_space": ["10.0.0.0/16"],
            "subnets": [{"name": "default", "address_prefix": "10.0.0.0/24"}],
        },
    )
    return f"{vnet.exports['id']}/subnets/default"


def nic(clients: Clients, group_name: str, name: str) -> Observed:
    subnet_id = subnet(clients, group_name, f"{name}-vnet")
    return make(clients, "network_interface", {"name": name, "resource_group": group_name, "subnet": subnet_id})


def vm_values(group_name: str, name: str, nic_id: str, **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "resource_group": group_name,
        "size": "Standard_B1s",
        "os_type": "Linux",
        "image": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server"},
        "admin_username": "azureuser",
        "network_interfaces": [nic_id],
        **extra,
    }
