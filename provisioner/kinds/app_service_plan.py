"""app_service_plan: an App Service plan (Microsoft.Web/serverfarms)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, Placed


class AppServicePlanSpec(Placed):
    """The plan web apps run on."""

    sku: Literal["F1", "B1", "B2", "B3", "S1", "S2", "S3", "P0v3", "P1v3", "P2v3", "P3v3"] = Field(
        "B1", description="The pricing tier."
    )
    linux: bool = Field(True, description="`true`: a Linux plan (web apps with a Linux `runtime`).")


KIND = KindInfo(
    name="app_service_plan",
    spec=AppServicePlanSpec,
    exports={"id": str, "name": str},
    lookup=("name", "resource_group"),
    provider="provisioner.providers.app_service_plan:AppServicePlanProvider",
    sdk_modules=("azure.mgmt.web",),
)
