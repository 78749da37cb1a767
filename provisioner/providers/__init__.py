"""Providers: one module per kind, mapping it onto Azure through the SDK clients."""

from __future__ import annotations

from provisioner.providers.app_service_plan import AppServicePlanProvider
from provisioner.providers.base import Provider
from provisioner.providers.blob import BlobProvider
from provisioner.providers.blob_container import BlobContainerProvider
from provisioner.providers.entra_group import EntraGroupProvider
from provisioner.providers.entra_user import EntraUserProvider
from provisioner.providers.group_member import GroupMemberProvider
from provisioner.providers.key_vault import KeyVaultProvider
from provisioner.providers.key_vault_access_policy import KeyVaultAccessPolicyProvider
from provisioner.providers.key_vault_secret import KeyVaultSecretProvider
from provisioner.providers.network_interface import NetworkInterfaceProvider
from provisioner.providers.resource_group import ResourceGroupProvider
from provisioner.providers.role_assignment import RoleAssignmentProvider
from provisioner.providers.sql_database import SqlDatabaseProvider
from provisioner.providers.sql_database_user import SqlDatabaseUserProvider
from provisioner.providers.sql_entra_admin import SqlEntraAdminProvider
from provisioner.providers.sql_server import SqlServerProvider
from provisioner.providers.storage_account import StorageAccountProvider
from provisioner.providers.user_assigned_identity import UserAssignedIdentityProvider
from provisioner.providers.virtual_machine import VirtualMachineProvider
from provisioner.providers.virtual_network import VirtualNetworkProvider
from provisioner.providers.web_app import WebAppProvider

PROVIDERS: dict[str, Provider] = {
    provider.kind: provider
    for provider in (
        ResourceGroupProvider(),
        VirtualNetworkProvider(),
        NetworkInterfaceProvider(),
        VirtualMachineProvider(),
        UserAssignedIdentityProvider(),
        EntraGroupProvider(),
        EntraUserProvider(),
        GroupMemberProvider(),
        RoleAssignmentProvider(),
        StorageAccountProvider(),
        BlobContainerProvider(),
        BlobProvider(),
        KeyVaultProvider(),
        KeyVaultSecretProvider(),
        KeyVaultAccessPolicyProvider(),
        SqlServerProvider(),
        SqlDatabaseProvider(),
        SqlEntraAdminProvider(),
        SqlDatabaseUserProvider(),
        AppServicePlanProvider(),
        WebAppProvider(),
    )
}
