"""storage_account: a storage account (Microsoft.Storage/storageAccounts)."""

from __future__ import annotations

from typing import Literal

from provisioner.kinds.base import KindInfo, NameRule, Placed


class StorageAccountSpec(Placed):
    """A storage account; blob containers are blob_container resources."""

    sku: Literal["Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS"] = (
        "Standard_LRS"
    )
    account_kind: Literal["StorageV2", "BlobStorage", "BlockBlobStorage"] = "StorageV2"
    allow_shared_key_access: bool = True
    allow_blob_public_access: bool = False


KIND = KindInfo(
    name="storage_account",
    spec=StorageAccountSpec,
    exports={"id": str, "name": str, "blob_endpoint": str},
    lookup=("name", "resource_group"),
    globally_unique=True,
    name_rule=NameRule(r"[a-z0-9]{3,24}", "use 3-24 lowercase letters and digits", "storage account"),
)
