"""key_vault_access_policy: one access policy entry of a vault (vaults/accessPolicies/add)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, Peers, PrincipalField, Spec, Text
from provisioner.kinds.key_vault import KeyVaultSpec

SecretPermission = Literal["get", "list", "set", "delete", "recover", "backup", "restore", "purge"]
KeyPermission = Literal[
    "get", "list", "update", "create", "import", "delete", "recover", "backup", "restore", "purge",
    "decrypt", "encrypt", "unwrapKey", "wrapKey", "verify", "sign", "release", "rotate",
    "getrotationpolicy", "setrotationpolicy",
]  # fmt: skip
CertificatePermission = Literal[
    "get", "list", "update", "create", "import", "delete", "recover", "backup", "restore", "purge",
    "managecontacts", "manageissuers", "getissuers", "listissuers", "setissuers", "deleteissuers",
]  # fmt: skip
TemplateName = Literal[
    "Key, Secret, & Certificate Management",
    "Key & Secret Management",
    "Key & Certificate Management",
    "Secret & Certificate Management",
    "Key Management",
    "Secret Management",
    "Certificate Management",
]

# The permissions the Azure portal's templates grant; a template's name says which families.
_MANAGEMENT = ["get", "list", "update", "create", "import", "delete", "recover", "backup", "restore"]
_FAMILIES: dict[str, list[str]] = {
    "Key": [*_MANAGEMENT, "rotate", "getrotationpolicy", "setrotationpolicy"],
    "Secret": ["get", "list", "set", "delete", "recover", "backup", "restore"],
    "Certificate": [
        *_MANAGEMENT, "managecontacts", "manageissuers", "getissuers", "listissuers", "setissuers",
        "deleteissuers",
    ],
}  # fmt: skip
FAMILIES = ("secrets", "keys", "certificates")
"""The permission families of an access policy entry, as Azure names them."""
TEMPLATES: dict[str, dict[str, list[str]]] = {
    name: {family.lower() + "s": perms if family in name else [] for family, perms in _FAMILIES.items()}
    for name in get_args(TemplateName)
}


class KeyVaultAccessPolicySpec(Spec):
    """Gives `object_id` the listed permissions, or those of a portal `template`.

    Either `template` or at least one permission list. Permissions are Azure's values.
    """

    vault: Text = Field(
        description="The vault's id, usually `${kv.id}`, of a vault without `rbac_authorization: true` "
        "(Azure ignores access policies there)."
    )
    object_id: Text = Field(description="The principal's object id, e.g. `${vm.identity.principal_id}`.")
    template: TemplateName | None = Field(None, description="One of the Azure portal's templates (below).")
    secrets: list[SecretPermission] = Field([], description="Permissions on secrets, instead of a template.")
    keys: list[KeyPermission] = Field([], description="Permissions on keys, instead of a template.")
    certificates: list[CertificatePermission] = Field(
        [], description="Permissions on certificates, instead of a template."
    )

    def permissions(self) -> dict[str, list[str]]:
        """`{"secrets": [...], "keys": [...], "certificates": [...]}` as Azure takes them (fresh lists)."""
        if self.template is not None:
            return {family: list(TEMPLATES[self.template][family]) for family in FAMILIES}
        return {"secrets": [*self.secrets], "keys": [*self.keys], "certificates": [*self.certificates]}


def _templates_table() -> str:
    """The reference's table of what each template grants."""
    rows = ["| template | grants |", "|---|---|"]
    for name, permissions in TEMPLATES.items():
        granted = "; ".join(f"{family}: {', '.join(perms)}" for family, perms in permissions.items() if perms)
        rows.append(f"| `{name}` | {granted} |")
    return "\n".join(rows)


def _rules(spec: KeyVaultAccessPolicySpec, peers: Peers) -> list[Issue]:
    issues: list[Issue] = []
    explicit = bool(spec.secrets or spec.keys or spec.certificates)
    if spec.template is not None and explicit:
        issues.append(Issue(("template",), "set either 'template' or permissions, not both"))
    elif spec.template is None and not explicit:
        issues.append(Issue((), "set 'template' or at least one of 'secrets', 'keys', 'certificates'"))
    vault = peers.target(spec.vault)
    if vault and isinstance(vault.spec, KeyVaultSpec) and vault.spec.rbac_authorization:
        message = f"key vault '{vault.name}' has rbac_authorization: true, so Azure ignores its access policies"
        hint = "grant a role such as 'Key Vault Secrets User' with a role_assignment"
        issues.append(Issue(("vault",), message, hint))
    return issues


KIND = KindInfo(
    name="key_vault_access_policy",
    spec=KeyVaultAccessPolicySpec,
    exports={},
    lookup=("vault", "object_id"),
    links={"vault": ("key_vault.id",)},
    principal=PrincipalField("object_id"),
    rules=_rules,
    doc=_templates_table(),
    provider="provisioner.providers.key_vault_access_policy:KeyVaultAccessPolicyProvider",
    sdk_modules=("azure.mgmt.keyvault",),
)
