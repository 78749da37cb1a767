"""providerOperations: Azure's operation metadata for the namespaces the local cloud serves, read with
the Authorization SDK as `az provider operation show` and custom-role tooling read it."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from provisioner.emulator.auth.builtin_roles import builtin_role_named
from provisioner.emulator.authorization.provider_operations import provider_operations, served_namespaces
from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients


def _operation_names(metadata: dict[str, Any]) -> set[str]:
    names = {operation["name"].lower() for operation in metadata["operations"]}
    for resource_type in metadata.get("resourceTypes", []):
        names |= {operation["name"].lower() for operation in resource_type["operations"]}
    return names


def test_a_namespace_reads_with_its_resource_types(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    metadata = clients.authorization(local_cloud, operator_credential).provider_operations_metadata
    compute = metadata.get("microsoft.compute", expand="resourceTypes")
    assert compute.name == "Microsoft.Compute"
    assert compute.id == "/providers/Microsoft.Authorization/providerOperations/Microsoft.Compute"
    assert compute.type == "Microsoft.Authorization/providerOperations"
    machines = next(rt for rt in compute.resource_types if rt.name == "virtualMachines")
    write = next(op for op in machines.operations if op.name == "Microsoft.Compute/virtualMachines/write")
    assert write.is_data_action is False and write.display_name


def test_the_list_holds_every_served_namespace(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    metadata = clients.authorization(local_cloud, operator_credential).provider_operations_metadata
    names = {item.name.lower() for item in metadata.list()}
    assert names == {name.lower() for name in served_namespaces()}
    assert {"microsoft.keyvault", "microsoft.storage", "microsoft.managedidentity", "microsoft.sql"} <= names


def test_an_unknown_namespace_is_404(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    metadata = clients.authorization(local_cloud, operator_credential).provider_operations_metadata
    with pytest.raises(HttpResponseError) as refused:
        metadata.get("Contoso.Nothing")
    assert refused.value.status_code == 404
    assert refused.value.error is not None and refused.value.error.code == "InvalidResourceNamespace"


def test_resource_types_only_when_expanded() -> None:
    assert "resourceTypes" in (provider_operations("Microsoft.KeyVault", None) or {})
    assert "resourceTypes" not in (provider_operations("Microsoft.KeyVault", "none") or {"resourceTypes": 1})


@pytest.mark.parametrize(
    "role",
    ["Storage Blob Data Reader", "Key Vault Secrets User", "Managed Identity Operator", "SQL DB Contributor"],
)
def test_a_roles_exact_actions_are_operations_azure_lists(role: str) -> None:
    """The data actions the built-in roles name are operations of the served namespaces, marked as data
    actions; their plain actions are listed too."""
    found = builtin_role_named(role)
    assert found is not None
    for block in found.permissions:
        for action, is_data in [(a, False) for a in block.actions] + [(a, True) for a in block.data_actions]:
            namespace = action.split("/", 1)[0]
            metadata = provider_operations(namespace, None)
            if "*" in action or metadata is None:
                continue
            assert action.lower() in _operation_names(metadata), action
            listed = _is_data_action(metadata, action)
            assert listed is is_data, action


def _is_data_action(metadata: dict[str, Any], action: str) -> bool:
    for resource_type in [metadata, *metadata["resourceTypes"]]:
        for operation in resource_type["operations"]:
            if operation["name"].lower() == action.lower():
                return bool(operation["isDataAction"])
    raise AssertionError(action)
