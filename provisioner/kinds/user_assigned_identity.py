"""user_assigned_identity: a user-assigned managed identity (Microsoft.ManagedIdentity)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, NameRule, Peers, Placed

VM_NAME_LIMIT = 24


class UserAssignedIdentitySpec(Placed):
    """A user-assigned managed identity; attach it with `identity.user_assigned: [${uai.id}]`."""

    name: str = Field(
        description="The identity's name; a **warning** above 24 characters, because assigning it to a VM then fails."
    )


def _rules(spec: UserAssignedIdentitySpec, peers: Peers) -> list[Issue]:
    if len(spec.name) <= VM_NAME_LIMIT:
        return []
    message = (
        f"user-assigned identity name '{spec.name}' is longer than {VM_NAME_LIMIT} characters: "
        "assigning it to a virtual machine fails"
    )
    return [Issue(("name",), message, severity="warning")]


KIND = KindInfo(
    name="user_assigned_identity",
    spec=UserAssignedIdentitySpec,
    exports={"id": str, "name": str, "principal_id": str, "client_id": str, "tenant_id": str},
    lookup=("name", "resource_group"),
    principal_exports={"principal_id": "ServicePrincipal"},
    name_rule=NameRule(
        r"[A-Za-z0-9][A-Za-z0-9_-]{2,127}",
        "use 3-128 letters, digits, '-' and '_', starting with a letter or digit",
        "user-assigned identity",
    ),
    rules=_rules,
    provider="provisioner.providers.user_assigned_identity:UserAssignedIdentityProvider",
    sdk_modules=("azure.mgmt.msi",),
    attachable_identity=True,
)
