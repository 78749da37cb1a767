"""key_vault: a key vault (Microsoft.KeyVault/vaults)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, KindInfo, NameRule, Placed


class KeyVaultSpec(Placed):
    """A key vault, using RBAC or access policies (key_vault_access_policy) for data access.

    Azure soft-deletes every vault, and a deleted vault holds its name until its retention period
    ends. Destroy (and a replace) therefore purges the vaults provision created, so the name can be
    used again; a vault with `purge_protection` cannot be purged and is reported as left behind. A
    create whose name is held by a soft-deleted vault fails with how to free it (`az keyvault purge
    --name NAME`), unless `recover_soft_deleted: true`.
    """

    sku: Literal["standard", "premium"] = Field("standard", description="The pricing tier.")
    rbac_authorization: bool = Field(
        False, description="`true`: data access by role assignments only; `false`: by access policies."
    )
    soft_delete_retention_days: int = Field(
        90, ge=7, le=90, description="Days a deleted vault is kept (holding its name) before Azure purges it."
    )
    purge_protection: bool = Field(
        False, description="`true`: a deleted vault cannot be purged before its retention period ends."
    )
    recover_soft_deleted: bool = Field(
        False,
        description="`true`: when a soft-deleted vault holds the name, recover it (with its access policies "
        "and secrets) instead of failing.",
    )


KIND = KindInfo(
    step_cost=2.0,
    name="key_vault",
    spec=KeyVaultSpec,
    exports={"id": str, "name": str, "vault_uri": str},
    lookup=("name", "resource_group"),
    globally_unique=True,
    name_rule=NameRule(
        r"[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]",
        "use 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit",
        "key vault",
    ),
    provider="provisioner.providers.key_vault:KeyVaultProvider",
    sdk_modules=("azure.mgmt.keyvault",),
    check_target=CheckTarget(
        abilities={"read": Ability("read the vault through ARM", "arm_read")},
        api_version="2023-07-01",
    ),
)
