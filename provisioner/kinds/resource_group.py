"""resource_group: a resource group (Microsoft.Resources/resourceGroups)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, KindInfo, NameRule, Spec


class ResourceGroupSpec(Spec):
    """A resource group."""

    name: str = Field(description="The resource group's name.")
    location: str | None = Field(None, description="Azure region, e.g. `westus`.")
    tags: dict[str, str] = Field({}, description="Tags on the resource group.")


KIND = KindInfo(
    name="resource_group",
    spec=ResourceGroupSpec,
    exports={"id": str, "name": str, "location": str},
    lookup=("name",),
    required=frozenset({"location"}),
    name_rule=NameRule(
        r"[-\w.()]{0,89}[-\w()]", "use 1-90 letters, digits and ._-() not ending in '.'", "resource group"
    ),
    provider="provisioner.providers.resource_group:ResourceGroupProvider",
    sdk_modules=("azure.mgmt.resource.resources",),
    check_target=CheckTarget(
        abilities={
            "read": Ability("read the resource group through ARM", "arm_read"),
            "write": Ability("write a tag on the resource group through ARM", "group_write"),
        },
        api_version="2021-04-01",
    ),
)
