"""key_vault_secret: a secret in a key vault (data plane)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, KindInfo, NameRule, Secret, Spec, Text


class KeyVaultSecretSpec(Spec):
    """A secret whose value comes from `${env.NAME}` or `{generate: {length: N}}`."""

    name: str = Field(description="The secret's name.")
    vault: Text = Field(description="The vault's id, usually `${kv.id}`.")
    value: Secret | None = Field(None, description="The secret's value, never a literal in the file.")
    content_type: str | None = Field(None, description="What the value is, e.g. `text/plain`.")


KIND = KindInfo(
    name="key_vault_secret",
    spec=KeyVaultSecretSpec,
    exports={"id": str, "name": str},
    lookup=("name", "vault"),
    required=frozenset({"value"}),
    links={"vault": ("key_vault.id",)},
    secrets=frozenset({"value"}),
    name_rule=NameRule(r"[0-9A-Za-z-]{1,127}", "use 1-127 letters, digits and hyphens", "key vault secret"),
    provider="provisioner.providers.key_vault_secret:KeyVaultSecretProvider",
    sdk_modules=("azure.keyvault.secrets",),
    check_target=CheckTarget(
        abilities={"read": Ability("read the secret's value from the vault", "secret_read")},
        api_version="2023-07-01",
        exists_at="vault",
    ),
)
