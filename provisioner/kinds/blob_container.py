"""blob_container: a container in a storage account (.../blobServices/default/containers)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, KindInfo, NameRule, Spec, Text


class BlobContainerSpec(Spec):
    """A blob container."""

    name: str = Field(description="The container's name.")
    storage_account: Text = Field(description="The account's id, usually `${storage.id}`.")
    public_access: Literal["None", "Blob", "Container"] = Field(
        "None", description="Anonymous read access: to blobs (`Blob`), or to blobs and the listing (`Container`)."
    )


KIND = KindInfo(
    name="blob_container",
    spec=BlobContainerSpec,
    exports={"id": str, "name": str, "url": str},
    lookup=("name", "storage_account"),
    links={"storage_account": ("storage_account.id",)},
    name_rule=NameRule(
        r"\$root|\$web|(?=.{3,63}\Z)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*",
        "use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit "
        "(or $root, $web)",
        "blob container",
    ),
    provider="provisioner.providers.blob_container:BlobContainerProvider",
    sdk_modules=("azure.mgmt.storage",),
    check_target=CheckTarget(
        abilities={
            "read": Ability("read a blob with the identity's own token", "blob_read"),
            "write": Ability("write a blob with the identity's own token", "blob_write"),
            "sas_read": Ability("get a service SAS through ARM (listServiceSas) and read a blob with it", "sas_read"),
            "sas_write": Ability(
                "get a service SAS through ARM (listServiceSas) and write a blob with it", "sas_write"
            ),
        },
        api_version="2023-05-01",
    ),
)
