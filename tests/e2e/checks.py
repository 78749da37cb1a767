"""What end-to-end tests look at through the SDK: role assignments, groups, service principals, what is left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.service_principals.service_principals_request_builder import ServicePrincipalsRequestBuilder

from provisioner.azure.clients import Clients
from provisioner.emulator.postgres.clusters import clusters_for


def role_assignments(sdk: Clients, principal_id: str) -> list[Any]:
    """Every role assignment of a principal in the subscription."""
    listing = sdk.authorization.role_assignments.list_for_subscription(filter=f"principalId eq '{principal_id}'")
    return list(listing)


def resources_named(sdk: Clients, prefix: str) -> list[str]:
    """Ids of resource groups and resources whose name starts with the prefix."""
    groups = [group.id for group in sdk.resources.resource_groups.list() if group.name.startswith(prefix)]
    resources = [item.id for item in sdk.resources.resources.list() if item.name.startswith(prefix)]
    return groups + resources


def role_assignment_names(sdk: Clients, scope: str) -> list[str]:
    return [item.name for item in sdk.authorization.role_assignments.list_for_scope(scope, filter="atScope()")]


def assignments_without_principal(sdk: Clients, known: set[str]) -> list[str]:
    """Role assignments in the subscription other than those of `known` principals (the operator's)."""
    listing = sdk.authorization.role_assignments.list_for_subscription()
    return [item.id for item in listing if item.principal_id not in known]


def role_assignment_ids(sdk: Clients) -> set[str]:
    """The ids of every role assignment in the subscription."""
    return {item.id for item in sdk.authorization.role_assignments.list_for_subscription()}


def resource_group_names(sdk: Clients) -> set[str]:
    return {group.name for group in sdk.resources.resource_groups.list()}


def directory_objects_named(sdk: Clients, prefix: str) -> list[str]:
    """Display names of the groups and service principals (managed identities) starting with the prefix."""
    query = f"startswith(displayName,'{prefix}')"
    groups = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(filter=query)
    principals = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(filter=query)

    async def find(msgraph: Any) -> list[str]:
        found = [
            await msgraph.groups.get(RequestConfiguration(query_parameters=groups)),
            await msgraph.service_principals.get(RequestConfiguration(query_parameters=principals)),
        ]
        return [item.display_name for page in found for item in page.value or []]

    return sdk.run_msgraph(find)


def postgres_left(data_dir: Path) -> list[str]:
    """What is left of local PostgreSQL servers: cluster directories, and postmasters still running
    (a process stopped but not yet reaped by init is not running)."""
    root = data_dir / "postgres"
    left = [str(path) for path in root.iterdir()] if root.exists() else []
    return left + [f"postmaster {pid}" for pid in clusters_for(data_dir).running() if alive(pid)]


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for init to reap it has stopped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
