"""graph_app_role_assignment through msgraph-sdk: `servicePrincipals/{id}/appRoleAssignments`.

The permission's app role id comes from Microsoft Graph's service principal (read once per run). A
principal's assignments are listed once per plan. Graph's 400 "Permission being assigned already
exists on the object" is success (an equal assignment is there), and so is a 404 on delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from kiota_abstractions.api_error import APIError
from msgraph.generated.models.app_role_assignment import AppRoleAssignment

from provisioner.errors import ConfigurationError, TransientCloudError
from provisioner.kinds.graph_app_role_assignment import GraphAppRoleAssignmentSpec
from provisioner.providers.base import Desired, Observed, Provider, ProviderContext
from provisioner.providers.msgraph import all_pages, error_message, get_or_none

MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
ALREADY_ASSIGNED = "already exists on the object"
BAD_REQUEST = 400
NOT_FOUND = 404


class GraphAppRoleAssignmentProvider(Provider[GraphAppRoleAssignmentSpec]):
    def read(self, ctx: ProviderContext, desired: Desired[GraphAppRoleAssignmentSpec]) -> Observed | None:
        principal = str(desired.spec.principal)
        graph_id, role_id = _graph_role(ctx, desired.spec.permission)
        found = ctx.cache.get_or_load(("app_role_assignments", principal), lambda: _assignments(ctx, principal))
        return _match(found, principal, desired.spec.permission, graph_id, role_id)

    def create(self, ctx: ProviderContext, desired: Desired[GraphAppRoleAssignmentSpec]) -> Observed:
        principal = str(desired.spec.principal)
        graph_id, role_id = _graph_role(ctx, desired.spec.permission)
        body = AppRoleAssignment(principal_id=UUID(principal), resource_id=UUID(graph_id), app_role_id=UUID(role_id))

        async def assign(msgraph: Any) -> str | None:
            try:
                created = await msgraph.service_principals.by_service_principal_id(principal).app_role_assignments.post(
                    body
                )
            except APIError as error:
                if error.response_status_code == NOT_FOUND:
                    raise _principal_not_found(principal) from None
                if error.response_status_code == BAD_REQUEST and ALREADY_ASSIGNED in error_message(error):
                    return None
                raise
            return str(created.id)

        assignment_id = ctx.clients.run_msgraph(assign)
        if assignment_id is None:
            adopted = _match(_assignments(ctx, principal), principal, desired.spec.permission, graph_id, role_id)
            if adopted is None:
                raise TransientCloudError("Graph reports the assignment exists but does not list it yet")
            return adopted
        return _observe(principal, desired.spec.permission, assignment_id, role_id)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        principal, _, assignment_id = azure_id.partition("/appRoleAssignments/")
        ctx.clients.run_msgraph(
            lambda msgraph: get_or_none(
                msgraph.service_principals.by_service_principal_id(principal)
                .app_role_assignments.by_app_role_assignment_id(assignment_id)
                .delete
            )
        )


def _graph_role(ctx: ProviderContext, permission: str) -> tuple[str, str]:
    """Microsoft Graph's service principal id and the id of its app role `permission`."""
    graph_id, roles = ctx.cache.get_or_load(("graph_app_roles",), lambda: _graph_roles(ctx))
    if permission not in roles:
        raise ConfigurationError(f"Microsoft Graph has no application permission '{permission}'")
    return graph_id, roles[permission]


def _graph_roles(ctx: ProviderContext) -> tuple[str, dict[str, str]]:
    async def load(msgraph: Any) -> tuple[str, dict[str, str]]:
        sp = await msgraph.service_principals_with_app_id(MICROSOFT_GRAPH_APP_ID).get()
        roles = {str(role.value): str(role.id).lower() for role in sp.app_roles or [] if role.value}
        return str(sp.id).lower(), roles

    return ctx.clients.run_msgraph(load)


def _assignments(ctx: ProviderContext, principal: str) -> dict[str, tuple[str, str]]:
    """assignment id -> (resource id, app role id) of the principal (none when it does not exist)."""

    async def listing(msgraph: Any) -> dict[str, tuple[str, str]]:
        builder = msgraph.service_principals.by_service_principal_id(principal).app_role_assignments
        first = await get_or_none(builder.get)
        if first is None:
            return {}
        items = await all_pages(first, lambda link: builder.with_url(link).get())
        return {str(item.id): (str(item.resource_id).lower(), str(item.app_role_id).lower()) for item in items}

    return ctx.clients.run_msgraph(listing)


def _match(
    found: Mapping[str, tuple[str, str]], principal: str, permission: str, graph_id: str, role_id: str
) -> Observed | None:
    for assignment_id, (resource, role) in found.items():
        if resource == graph_id and role == role_id:
            return _observe(principal, permission, assignment_id, role_id)
    return None


def _principal_not_found(principal: str) -> TransientCloudError:
    message = f"404 PrincipalNotFound: Graph does not know the service principal {principal} (yet)"
    return TransientCloudError(message, status=NOT_FOUND, code="PrincipalNotFound")


def _observe(principal: str, permission: str, assignment_id: str, role_id: str) -> Observed:
    return Observed(
        f"{principal}/appRoleAssignments/{assignment_id}",
        {"principal": principal, "permission": permission},
        {"id": assignment_id, "app_role_id": role_id},
    )
