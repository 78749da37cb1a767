"""Azure public regions (names as ARM expects them in `location`)."""

from provisioner.emulator.core.errors import CloudServiceError

REGIONS = frozenset(
    {
        "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
        "westcentralus", "canadacentral", "canadaeast", "brazilsouth", "northeurope", "westeurope",
        "uksouth", "ukwest", "francecentral", "germanywestcentral", "norwayeast", "swedencentral",
        "switzerlandnorth", "polandcentral", "italynorth", "spaincentral", "eastasia", "southeastasia",
        "japaneast", "japanwest", "koreacentral", "australiaeast", "australiasoutheast", "centralindia",
        "southindia", "uaenorth", "southafricanorth", "qatarcentral", "israelcentral", "mexicocentral",
    }
)  # fmt: skip


def normalise_location(location: str) -> str:
    """ARM accepts display names ("West US") and stores the programmatic name ("westus")."""
    return location.replace(" ", "").lower()


def is_known(location: str) -> bool:
    return normalise_location(location) in REGIONS


def check_location(location: object, kind: str = "resource group") -> str:
    if not isinstance(location, str) or not location:
        raise CloudServiceError(400, "LocationRequired", "The location property is required for this definition.")
    if not is_known(location):
        raise CloudServiceError(
            400,
            "LocationNotAvailableForResourceGroup"
            if kind == "resource group"
            else "LocationNotAvailableForResourceType",
            f"The provided location '{location}' is not available for {kind}. List of available regions is "
            f"'{','.join(sorted(REGIONS))}'.",
        )
    return normalise_location(location)
