"""RBAC evaluation with Azure's semantics, over the real built-in role definitions."""

from __future__ import annotations

import pytest

from provisioner.emulator.auth.builtin_roles import BuiltInRole, builtin_role_named
from provisioner.emulator.auth.rbac import Permission, allows, operation_matches

ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"
ROLE_ASSIGNMENT_DELETE = "Microsoft.Authorization/roleAssignments/delete"
VM_WRITE = "Microsoft.Compute/virtualMachines/write"
RG_READ = "Microsoft.Resources/subscriptions/resourceGroups/read"
BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
BLOB_WRITE = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"
GET_SECRET = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
SET_SECRET = "Microsoft.KeyVault/vaults/secrets/setSecret/action"


def role(name: str) -> BuiltInRole:
    found = builtin_role_named(name)
    assert found is not None, name
    return found


def can(role_names: list[str], operation: str, *, data_action: bool = False) -> bool:
    permissions = [permission for name in role_names for permission in role(name).permissions]
    return allows(permissions, operation, data_action=data_action)


@pytest.mark.parametrize(
    ("pattern", "operation", "expected"),
    [
        ("*", "Microsoft.Compute/virtualMachines/write", True),
        ("*/read", "Microsoft.Compute/virtualMachines/read", True),
        ("*/read", "Microsoft.Compute/virtualMachines/write", False),
        ("Microsoft.Authorization/*/Write", "microsoft.authorization/roleassignments/WRITE", True),
        ("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/delete", False),
        ("Microsoft.Storage/storageAccounts/*", "Microsoft.Storage/storageAccounts/listKeys/action", True),
        ("Microsoft.Storage/storageAccounts/*", "Microsoft.Storage/storageAccountsX/read", False),
        ("Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/readX", False),
        ("Microsoft.Compute/virtualMachines/read", "X.Microsoft.Compute/virtualMachines/read", False),
        ("Microsoft.Sql/locations/*/read", "Microsoft.Sql/locations/operations/status/read", True),
        ("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/read", True),
        (
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
            True,
        ),
        ("Microsoft.Net.*/read", "MicrosoftXNet/a/read", False),
    ],
)
def test_operation_matches(pattern: str, operation: str, expected: bool) -> None:
    assert operation_matches(pattern, operation) is expected


def test_owner_may_do_everything_on_the_control_plane() -> None:
    assert can(["Owner"], ROLE_ASSIGNMENT_WRITE)
    assert can(["Owner"], VM_WRITE)


def test_owner_gets_no_data_actions() -> None:
    assert not can(["Owner"], BLOB_READ, data_action=True)


def test_contributor_manages_resources_but_not_access() -> None:
    assert can(["Contributor"], VM_WRITE)
    assert can(["Contributor"], "Microsoft.Authorization/roleAssignments/read")
    assert not can(["Contributor"], ROLE_ASSIGNMENT_WRITE)
    assert not can(["Contributor"], ROLE_ASSIGNMENT_DELETE)
    assert not can(["Contributor"], "Microsoft.Authorization/elevateAccess/Action")


def test_reader_reads_and_cannot_write() -> None:
    assert can(["Reader"], RG_READ)
    assert not can(["Reader"], "Microsoft.Resources/subscriptions/resourceGroups/write")
    assert not can(["Reader"], VM_WRITE)


def test_not_actions_subtract_from_their_own_block_only() -> None:
    assert can(["Contributor", "User Access Administrator"], ROLE_ASSIGNMENT_WRITE)
    block = Permission(actions=("*",), not_actions=(VM_WRITE,))
    assert not allows([block], VM_WRITE, data_action=False)
    assert allows([block, Permission(actions=(VM_WRITE,))], VM_WRITE, data_action=False)


def test_storage_blob_data_reader_reads_blobs_only() -> None:
    assert can(["Storage Blob Data Reader"], BLOB_READ, data_action=True)
    assert not can(["Storage Blob Data Reader"], BLOB_WRITE, data_action=True)
    assert not can(["Storage Blob Data Reader"], BLOB_READ)


def test_storage_blob_data_roles_grow_in_order() -> None:
    assert can(["Storage Blob Data Contributor"], BLOB_WRITE, data_action=True)
    assert not can(
        ["Storage Blob Data Contributor"],
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/modifyPermissions/action",
        data_action=True,
    )
    assert can(
        ["Storage Blob Data Owner"],
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/modifyPermissions/action",
        data_action=True,
    )


def test_key_vault_secrets_roles() -> None:
    assert can(["Key Vault Secrets User"], GET_SECRET, data_action=True)
    assert not can(["Key Vault Secrets User"], SET_SECRET, data_action=True)
    assert can(["Key Vault Secrets Officer"], SET_SECRET, data_action=True)
    assert not can(["Key Vault Reader"], GET_SECRET, data_action=True)
    assert can(["Key Vault Administrator"], GET_SECRET, data_action=True)


def test_managed_identity_operator_may_assign_but_not_create() -> None:
    assign = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
    create = "Microsoft.ManagedIdentity/userAssignedIdentities/write"
    assert can(["Managed Identity Operator"], assign)
    assert not can(["Managed Identity Operator"], create)
    assert can(["Managed Identity Contributor"], create)
    assert not can(["Managed Identity Contributor"], assign)


def test_sql_db_contributor_manages_databases_not_servers() -> None:
    assert can(["SQL DB Contributor"], "Microsoft.Sql/servers/databases/write")
    assert not can(["SQL DB Contributor"], "Microsoft.Sql/servers/write")
    assert not can(["SQL DB Contributor"], "Microsoft.Sql/servers/databases/auditingSettings/write")
    assert can(["SQL Server Contributor"], "Microsoft.Sql/servers/write")
    assert not can(["SQL Server Contributor"], "Microsoft.Sql/servers/azureADOnlyAuthentications/write")


def test_reader_cannot_list_web_app_settings_or_write_firewall_rules() -> None:
    assert not can(["Reader"], "Microsoft.Web/sites/config/list/action")
    assert can(["Contributor"], "Microsoft.Web/sites/config/list/action")
    assert can(["Reader"], "Microsoft.Sql/servers/firewallRules/read")
    assert not can(["Reader"], "Microsoft.Sql/servers/firewallRules/write")
    assert can(["SQL Server Contributor"], "Microsoft.Sql/servers/firewallRules/write")


def test_virtual_machine_contributor_manages_vms_not_networks() -> None:
    assert can(["Virtual Machine Contributor"], VM_WRITE)
    assert can(["Virtual Machine Contributor"], "Microsoft.Network/virtualNetworks/subnets/join/action")
    assert not can(["Virtual Machine Contributor"], "Microsoft.Network/virtualNetworks/write")


def test_no_permissions_allow_nothing() -> None:
    assert not allows([], RG_READ, data_action=False)


def test_roles_beyond_the_tools_own_work_by_their_published_actions() -> None:
    assert can(["AcrPull"], "Microsoft.ContainerRegistry/registries/pull/read")
    assert not can(["AcrPull"], "Microsoft.ContainerRegistry/registries/push/write")
    assert can(["Website Contributor"], "Microsoft.Web/sites/config/write")
    assert not can(["Website Contributor"], "Microsoft.Web/serverfarms/write")
    assert can(["Storage Account Contributor"], "Microsoft.Storage/storageAccounts/listKeys/action")
    assert not can(["Storage Account Contributor"], BLOB_READ, data_action=True)


def test_data_roles_of_other_services_grant_only_their_data_actions() -> None:
    read_message = "Microsoft.Storage/storageAccounts/queueServices/queues/messages/read"
    assert can(["Storage Queue Data Reader"], read_message, data_action=True)
    assert not can(["Storage Queue Data Reader"], BLOB_READ, data_action=True)
    decrypt = "Microsoft.KeyVault/vaults/keys/decrypt/action"
    assert can(["Key Vault Crypto User"], decrypt, data_action=True)
    assert not can(["Key Vault Crypto User"], GET_SECRET, data_action=True)


def test_a_block_with_a_condition_allows_nothing_here() -> None:
    conditional = Permission(actions=("*",), condition="@Resource[x] StringEquals 'y'", condition_version="2.0")
    assert not allows([conditional], VM_WRITE, data_action=False)
    assert allows([conditional, Permission(actions=(VM_WRITE,))], VM_WRITE, data_action=False)
