"""Storage and Key Vault for emulator tests: the management clients, account / container / vault
bodies, data-plane clients, and running data-plane steps as a VM's managed identity."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.keyvault.secrets import SecretClient
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.storage.blob import BlobServiceClient

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients

LOCATION = "westus"
STORAGE_ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"


def storage(server: LocalCloudServer, credential: Any) -> StorageManagementClient:
    return StorageManagementClient(credential, server.cloud.identity.subscription_id, **clients.mgmt_options(server))


def keyvault(server: LocalCloudServer, credential: Any, **options: Any) -> KeyVaultManagementClient:
    return KeyVaultManagementClient(
        credential, server.cloud.identity.subscription_id, **clients.mgmt_options(server), **options
    )


def group(server: LocalCloudServer, credential: Any, name: str) -> str:
    created = clients.resources(server, credential).resource_groups.create_or_update(name, {"location": LOCATION})
    return str(created.id)


def account(server: LocalCloudServer, credential: Any, group_name: str, name: str, **properties: Any) -> Any:
    body = {"location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": properties}
    return storage(server, credential).storage_accounts.begin_create(group_name, name, body).result()


def container(server: LocalCloudServer, credential: Any, group_name: str, account_name: str, name: str) -> Any:
    return storage(server, credential).blob_containers.create(group_name, account_name, name, {})


def account_key(server: LocalCloudServer, credential: Any, group_name: str, account_name: str) -> str:
    keys = storage(server, credential).storage_accounts.list_keys(group_name, account_name).keys_property
    return str(keys[0].value)


def blob_url(server: LocalCloudServer, account_name: str) -> str:
    return f"{server.url}/{account_name}/"


def blob_service(server: LocalCloudServer, account_name: str, credential: Any) -> BlobServiceClient:
    return BlobServiceClient(
        blob_url(server, account_name), credential=credential, connection_verify=str(server.ca_cert)
    )


def shared_key(account_name: str, key: str) -> dict[str, str]:
    return {"account_name": account_name, "account_key": key}


def sas_time(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def vault_body(server: LocalCloudServer, *, rbac: bool, policies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "tenantId": server.cloud.identity.tenant_id,
        "sku": {"family": "A", "name": "standard"},
        "enableRbacAuthorization": rbac,
        "accessPolicies": policies or [],
    }
    return {"location": LOCATION, "properties": properties}


def policy(server: LocalCloudServer, object_id: str, *secrets: str) -> dict[str, Any]:
    return {
        "tenantId": server.cloud.identity.tenant_id,
        "objectId": object_id,
        "permissions": {"secrets": list(secrets)},
    }


def vault(server: LocalCloudServer, credential: Any, group_name: str, name: str, **body: Any) -> Any:
    poller = keyvault(server, credential).vaults.begin_create_or_update(group_name, name, vault_body(server, **body))
    return poller.result()


def secret_client(server: LocalCloudServer, vault_url: str, credential: Any) -> SecretClient:
    return SecretClient(vault_url, credential, verify_challenge_resource=False, connection_verify=str(server.ca_cert))


def vm_principal(server: LocalCloudServer, credential: Any, group_name: str, name: str) -> tuple[str, str]:
    """A VM with a system-assigned identity in its own network: (VM id, principal id)."""
    subnet = builders.group_with_subnet(server, credential, group_name)
    machine = builders.vm(server, credential, group_name, name, subnet, {"type": "SystemAssigned"})
    return str(machine.id), str(machine.identity.principal_id)


def as_vm(server: LocalCloudServer, vm_id: str, *steps: dict[str, Any]) -> list[dict[str, Any]]:
    """Run data-plane steps inside the VM with its managed identity (see identity_actor)."""
    code = f"import json\nfrom tests.emulator.identity_actor import main\nmain(json.loads({json.dumps(list(steps))!r}))"
    done = clients.run_inside(builders.vm_environment(server, vm_id), server, code)
    assert done.returncode == 0, done.stderr
    outcomes: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return outcomes
