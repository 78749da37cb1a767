"""Building blocks for emulator tests: a resource group with a network, VMs, identities, roles."""

from __future__ import annotations

import uuid
from typing import Any

from provisioner.emulator.auth.imds import imds_authority
from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
LOCATION = "westus"
VM_PASSWORD = "Local-Cloud-Pw-42!"


def group_with_subnet(server: LocalCloudServer, credential: Any, group: str) -> str:
    """Create a resource group with a VNet; the subnet id."""
    clients.resources(server, credential).resource_groups.create_or_update(group, {"location": LOCATION})
    vnet = (
        clients.network(server, credential)
        .virtual_networks.begin_create_or_update(
            group,
            "vnet",
            {
                "location": LOCATION,
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}],
                },
            },
        )
        .result()
    )
    return str(vnet.subnets[0].id)


def nic(server: LocalCloudServer, credential: Any, group: str, name: str, subnet_id: str) -> str:
    body = {
        "location": LOCATION,
        "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}}}]},
    }
    return str(
        clients.network(server, credential).network_interfaces.begin_create_or_update(group, name, body).result().id
    )


def vm_body(nic_id: str, identity: dict[str, Any] | None = None, password: str = VM_PASSWORD) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": LOCATION,
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B1s"},
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "ubuntu-24_04-lts",
                    "sku": "server",
                    "version": "latest",
                }
            },
            "osProfile": {"computerName": "vm", "adminUsername": "azureuser", "adminPassword": password},
            "networkProfile": {"networkInterfaces": [{"id": nic_id}]},
        },
    }
    if identity is not None:
        body["identity"] = identity
    return body


def vm(
    server: LocalCloudServer, credential: Any, group: str, name: str, subnet_id: str, identity: dict[str, Any] | None
) -> Any:
    nic_id = nic(server, credential, group, f"{name}-nic", subnet_id)
    poller = clients.compute(server, credential).virtual_machines.begin_create_or_update(
        group, name, vm_body(nic_id, identity)
    )
    return poller.result()


def assign(server: LocalCloudServer, credential: Any, scope: str, role: str, principal: str) -> Any:
    subscription = server.cloud.identity.subscription_id
    definition = f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    body = {
        "properties": {
            "roleDefinitionId": definition,
            "principalId": principal,
            "principalType": "ServicePrincipal",
        }
    }
    return clients.authorization(server, credential).role_assignments.create(scope, str(uuid.uuid4()), body)


def vm_environment(server: LocalCloudServer, vm_id: str) -> dict[str, str]:
    """The environment that makes azure-identity's ManagedIdentityCredential act inside the VM."""
    stored = server.cloud.store.get_resource(vm_id)
    assert stored is not None
    return {"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds_authority(server.url, stored)}
