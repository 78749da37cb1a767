"""role_assignment: an Azure RBAC role assignment (Microsoft.Authorization/roleAssignments)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, Peers, PrincipalField, Spec, Text
from provisioner.kinds.roles import BUILT_IN_ROLES, role_definition_guid, unknown_role_hint
from provisioner.language.references import Ref, Template


class RoleAssignmentSpec(Spec):
    """Grants `role` on `scope` to `principal`; the type of the principal is inferred when omitted.

    The assignment's name is derived from scope, principal and role, so re-running never creates a
    duplicate.
    """

    scope: Text = Field(
        description="A resource id: `${rg.id}`, `${storage.id}`, `${container.id}`, one secret of a vault "
        "in RBAC mode `${kv.id}/secrets/${secret.name}`, or a literal starting with `/` such as "
        "`/subscriptions/<id>` or `/subscriptions/${target.subscription_id}`."
    )
    role: str = Field(
        description="A built-in role name (below) or a role definition id: a GUID, "
        "`/providers/Microsoft.Authorization/roleDefinitions/<guid>` or `/subscriptions/<id>/providers/...`; "
        "an unknown name is an error with a suggestion (`did you mean 'Reader'?`)."
    )
    principal: Text = Field(description="The principal's object id, e.g. `${vm.identity.principal_id}`.")
    principal_type: Literal["User", "Group", "ServicePrincipal", "ForeignGroup"] | None = Field(
        None, description="The principal's type."
    )
    description: str | None = Field(None, description="The assignment's description.")

    @property
    def role_definition_guid(self) -> str:
        """The GUID of the role (checked when the scenario loads)."""
        guid = role_definition_guid(self.role)
        if guid is None:
            raise ValueError(f"unknown role '{self.role}'")
        return guid


def _rules(spec: RoleAssignmentSpec, peers: Peers) -> list[Issue]:
    issues: list[Issue] = []
    if role_definition_guid(spec.role) is None:
        issues.append(Issue(("role",), f"unknown role '{spec.role}'", unknown_role_hint(spec.role)))
    first = spec.scope.parts[0] if isinstance(spec.scope, Template) else spec.scope
    if isinstance(first, Ref) and first.attribute != ("id",):
        issues.append(Issue(("scope",), f"'scope' must be a resource id such as ${{{first.resource}.id}}"))
    elif isinstance(first, str) and not first.startswith("/"):
        issues.append(Issue(("scope",), "'scope' must be a resource id starting with '/'"))
    return issues


KIND = KindInfo(
    name="role_assignment",
    spec=RoleAssignmentSpec,
    exports={"id": str, "name": str},
    lookup=("scope", "role", "principal"),
    principal=PrincipalField("principal", "principal_type"),
    rules=_rules,
    doc=(
        f"Built-in role names: any of Azure's {len(BUILT_IN_ROLES)} built-in roles (Reader, Contributor, "
        "Storage Blob Data Reader, Key Vault Secrets User, AcrPull, ...; names match without regard to case), "
        "or a role definition id."
    ),
    provider="provisioner.providers.role_assignment:RoleAssignmentProvider",
    # A multi-API client: the package of its default api-version is imported on first use, not with it.
    sdk_modules=("azure.mgmt.authorization", "azure.mgmt.authorization.v2022_04_01.operations"),
    grants_access=True,
)
