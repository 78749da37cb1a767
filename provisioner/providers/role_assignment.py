"""role_assignment through azure-mgmt-authorization.

Reads are batched: the assignments of a scope are listed once per plan (`atScope()`, which also
returns those inherited from above, so the scope is compared too) and matched by (scope, role,
principal), case-insensitively, never by name. A create uses a deterministic name (a name-based
UUID of scope, role and principal), so a retried create cannot make a duplicate, and sends
`principalType` whenever the scenario knows it (always but for `${target.principal_id}`, a principal
that exists already), so ARM does not need to look up a principal that is still replicating. An
equal assignment under another name (409 RoleAssignmentExists) is adopted. PrincipalNotFound surfaces
as a TransientCloudError with that code: the executor retries it only for principals it created.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from azure.core.exceptions import HttpResponseError

from provisioner.errors import CloudError
from provisioner.kinds.role_assignment import RoleAssignmentSpec
from provisioner.kinds.roles import BUILT_IN_ROLES
from provisioner.providers.arm import azure_code, delete_if_present, rest
from provisioner.providers.base import Desired, Observed, Provider, ProviderContext

NAMESPACE = uuid.UUID("6f1b3a52-4c1e-5a8e-9d0b-2f6c1d9e7a41")  # provision's role assignment names
ALREADY_EXISTS = "RoleAssignmentExists"
_ROLE_NAMES = {guid: name for name, guid in BUILT_IN_ROLES.items()}


def assignment_name(scope: str, role_guid: str, principal_id: str) -> str:
    """The deterministic name of the assignment of `role_guid` on `scope` to `principal_id`."""
    return str(uuid.uuid5(NAMESPACE, f"{scope.rstrip('/')}|{role_guid}|{principal_id}".lower()))


def role_definition_id(scope: str, role_guid: str) -> str:
    """The role definition id ARM expects, qualified by the scope's subscription when there is one."""
    parts = scope.strip("/").split("/")
    prefix = f"/subscriptions/{parts[1]}" if len(parts) > 1 and parts[0].lower() == "subscriptions" else ""
    return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"


class RoleAssignmentProvider(Provider[RoleAssignmentSpec]):
    # Scope, role and principal identify an assignment: other values are another assignment.

    def read(self, ctx: ProviderContext, desired: Desired[RoleAssignmentSpec]) -> Observed | None:
        scope = _scope(desired)
        assignments = ctx.cache.get_or_load(("role_assignments", scope.lower()), lambda: _list(ctx, scope))
        found = _matching(assignments, desired)
        return None if found is None else _observe(found)

    def create(self, ctx: ProviderContext, desired: Desired[RoleAssignmentSpec]) -> Observed:
        spec = desired.spec
        scope, role, principal = _scope(desired), spec.role_definition_guid, str(spec.principal)
        properties = {"roleDefinitionId": role_definition_id(scope, role), "principalId": principal}
        if spec.principal_type:  # unknown only for ${target.principal_id}, who exists already
            properties["principalType"] = spec.principal_type
        if spec.description:
            properties["description"] = spec.description
        name = assignment_name(scope, role, principal)
        try:
            created = ctx.clients.authorization.role_assignments.create(scope, name, {"properties": properties})
        except HttpResponseError as error:
            if azure_code(error) != ALREADY_EXISTS:
                raise
            return self._adopt(ctx, desired)
        return _observe(rest(created))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        assignments = ctx.clients.authorization.role_assignments
        delete_if_present(lambda: assignments.delete_by_id(azure_id))

    def _adopt(self, ctx: ProviderContext, desired: Desired[RoleAssignmentSpec]) -> Observed:
        """The equal assignment that made the create fail, listed afresh (not from the plan's cache)."""
        found = _matching(_list(ctx, _scope(desired)), desired)
        if found is None:
            raise CloudError(
                f"409 {ALREADY_EXISTS}: Azure says an equal role assignment exists on {_scope(desired)}, "
                "but it is not listed there",
                status=409,
                code=ALREADY_EXISTS,
            )
        return _observe(found)


def _scope(desired: Desired[RoleAssignmentSpec]) -> str:
    return str(desired.spec.scope).rstrip("/") or "/"


def _list(ctx: ProviderContext, scope: str) -> list[dict[str, Any]]:
    assignments = ctx.clients.authorization.role_assignments
    return [rest(item) for item in assignments.list_for_scope(scope, filter="atScope()")]


def _matching(assignments: list[dict[str, Any]], desired: Desired[RoleAssignmentSpec]) -> dict[str, Any] | None:
    scope, role = _scope(desired).lower(), desired.spec.role_definition_guid
    principal = str(desired.spec.principal).lower()
    for assignment in assignments:
        properties = assignment.get("properties") or {}
        if (
            str(properties.get("scope", "")).rstrip("/").lower() == scope
            and str(properties.get("roleDefinitionId", "")).rsplit("/", 1)[-1].lower() == role
            and str(properties.get("principalId", "")).lower() == principal
        ):
            return assignment
    return None


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    role = str(properties.get("roleDefinitionId", "")).rsplit("/", 1)[-1].lower()
    attributes = {
        "scope": properties.get("scope"),
        "role": _ROLE_NAMES.get(role, role),
        "principal": properties.get("principalId"),
        "principal_type": properties.get("principalType"),
        "description": properties.get("description"),
    }
    return Observed(str(body["id"]), attributes, {"id": body["id"], "name": body["name"]})
