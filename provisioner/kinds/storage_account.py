"""storage_account: a storage account (Microsoft.Storage/storageAccounts)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, Issue, KindInfo, NameRule, Peers, Placed


class StorageAccountSpec(Placed):
    """A storage account; blob containers are blob_container resources."""

    sku: Literal["Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS"] = (
        Field("Standard_LRS", description="The performance tier and replication.")
    )
    account_kind: Literal["StorageV2", "BlobStorage", "BlockBlobStorage"] = Field(
        "StorageV2", description="The kind of account."
    )
    allow_shared_key_access: bool = Field(
        True, description="`true`: requests may be signed with the account key (needed for SAS)."
    )
    allow_blob_public_access: bool = Field(
        False, description="`true`: a container may allow anonymous reads (`public_access`)."
    )
    hierarchical_namespace: bool = Field(
        False,
        description="`true` makes it a Data Lake Storage (Gen2) account, whose blob containers are file systems "
        "with directories; not with `account_kind: BlobStorage`; changing it replaces the account.",
    )


def _rules(spec: StorageAccountSpec, peers: Peers) -> list[Issue]:
    if spec.hierarchical_namespace and spec.account_kind == "BlobStorage":
        message = "a hierarchical namespace needs account_kind StorageV2 or BlockBlobStorage, not BlobStorage"
        return [Issue(("hierarchical_namespace",), message)]
    return []


KIND = KindInfo(
    step_cost=2.0,
    name="storage_account",
    spec=StorageAccountSpec,
    exports={"id": str, "name": str, "blob_endpoint": str},
    lookup=("name", "resource_group"),
    globally_unique=True,
    name_rule=NameRule(r"[a-z0-9]{3,24}", "use 3-24 lowercase letters and digits", "storage account"),
    rules=_rules,
    provider="provisioner.providers.storage_account:StorageAccountProvider",
    sdk_modules=("azure.mgmt.storage",),
    check_target=CheckTarget(
        abilities={"read": Ability("read the storage account through ARM", "arm_read")},
        api_version="2023-05-01",
    ),
)
