"""The platform image catalogue reads (`.../locations/{l}/publishers/...artifacttypes/vmimage/...`) for
the images of az's alias document (resources/metadata.py), one version each, as `az vm create --image
ALIAS` looks them up: the latest version (`$orderby=name desc&$top=1`), then that version's details.

Azure answers these lists as bare JSON arrays (no `value`), with ids whose segments are capitalised
(`/Subscriptions/.../Providers/Microsoft.Compute/Locations/...`); an unknown artifact is 404 NotFound.
Every region the local cloud knows carries every image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.regions import check_location
from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.arm.scopes import require_subscription
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.resources.metadata import IMAGE_ALIASES

routes = RouteTable(Surface.ARM)
LOCATION = "/subscriptions/{subscription}/providers/Microsoft.Compute/locations/{location}"
PUBLISHERS = LOCATION + "/publishers"
OFFERS = PUBLISHERS + "/{publisher}/artifacttypes/vmimage/offers"
SKUS = OFFERS + "/{offer}/skus"
VERSIONS = SKUS + "/{sku}/versions"
# One published version per image (real version strings of that image's line).
VERSION_OF_SKU = {
    "22_04-lts-gen2": "22.04.202410020",
    "server": "24.04.202410090",
    "2022-datacenter-g2": "20348.2762.241009",
    "2022-datacenter-azure-edition-core": "20348.2762.241006",
    "2019-datacenter-gensecond": "17763.6414.241004",
}
GEN2_FEATURES = [
    {"name": "SecurityType", "value": "TrustedLaunchSupported"},
    {"name": "IsAcceleratedNetworkSupported", "value": "True"},
    {"name": "DiskControllerTypes", "value": "SCSI, NVMe"},
    {"name": "IsHibernateSupported", "value": "True"},
]


@dataclass(frozen=True)
class Image:
    publisher: str
    offer: str
    sku: str
    version: str
    os_type: str


def _catalogue() -> tuple[Image, ...]:
    return tuple(
        Image(image["publisher"], image["offer"], image["sku"], VERSION_OF_SKU[image["sku"]], os_type)
        for os_type, aliases in IMAGE_ALIASES.items()
        for image in aliases.values()
    )


CATALOGUE = _catalogue()


def _matching(call: Call, *, depth: int) -> list[Image]:
    """The images under the path's publisher / offer / sku (the first `depth` of them, without case)."""
    require_subscription(call.cloud, call.params["subscription"])
    check_location(call.params["location"], "resource type")
    keys = ("publisher", "offer", "sku")[:depth]
    wanted = [call.params[key].lower() for key in keys]
    found = [image for image in CATALOGUE if [getattr(image, key).lower() for key in keys] == wanted]
    if not found:
        raise _not_found()
    return found


def _not_found() -> CloudServiceError:
    return CloudServiceError(404, "NotFound", "Artifact: VMImage was not found.")


def _resource(call: Call, path: str, name: str) -> dict[str, Any]:
    subscription, location = call.params["subscription"], call.params["location"]
    return {
        "location": location,
        "name": name,
        "id": f"/Subscriptions/{subscription}/Providers/Microsoft.Compute/Locations/{location}/{path}",
    }


def _listed(call: Call, items: list[dict[str, Any]]) -> Response:
    """A bare array, sorted by name (`$orderby=name desc` reverses it), cut at `$top`."""
    items = sorted(items, key=lambda item: str(item["name"]).lower())
    if (call.query_value("$orderby") or "").strip().lower() == "name desc":
        items.reverse()
    top = call.query_value("$top")
    if top is not None:
        if not top.isdigit():
            raise CloudServiceError(400, "InvalidParameter", f"The value '{top}' of parameter '$top' is invalid.")
        items = items[: int(top)]
    return arm_json(items)


def _unique(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({str(item["name"]).lower(): item for item in items}.values())


@routes.get(PUBLISHERS)
async def list_publishers(call: Call) -> Response:
    require_subscription(call.cloud, call.params["subscription"])
    check_location(call.params["location"], "resource type")
    found = [_resource(call, f"Publishers/{image.publisher}", image.publisher) for image in CATALOGUE]
    return _listed(call, _unique(found))


@routes.get(OFFERS)
async def list_offers(call: Call) -> Response:
    found = [
        _resource(call, f"Publishers/{image.publisher}/ArtifactTypes/VMImage/Offers/{image.offer}", image.offer)
        for image in _matching(call, depth=1)
    ]
    return _listed(call, _unique(found))


def _sku_path(image: Image) -> str:
    return f"Publishers/{image.publisher}/ArtifactTypes/VMImage/Offers/{image.offer}/Skus/{image.sku}"


@routes.get(SKUS)
async def list_skus(call: Call) -> Response:
    return _listed(call, [_resource(call, _sku_path(image), image.sku) for image in _matching(call, depth=2)])


@routes.get(VERSIONS)
async def list_versions(call: Call) -> Response:
    images = _matching(call, depth=3)
    found = [_resource(call, f"{_sku_path(image)}/Versions/{image.version}", image.version) for image in images]
    return _listed(call, found)


@routes.get(VERSIONS + "/{version}")
async def get_version(call: Call) -> Response:
    wanted = call.params["version"].lower()
    for image in _matching(call, depth=3):
        if wanted in (image.version, "latest"):
            return arm_json(_image_body(call, image))
    raise _not_found()


def _image_body(call: Call, image: Image) -> dict[str, Any]:
    body = _resource(call, f"{_sku_path(image)}/Versions/{image.version}", image.version)
    body["properties"] = {
        "hyperVGeneration": "V2",
        "architecture": "x64",
        "replicaType": "Managed",
        "osDiskImage": {"operatingSystem": image.os_type},
        "dataDiskImages": [],
        "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": image.os_type == "Windows"},
        "disallowed": {"vmDiskType": "Unmanaged"},
        "features": GEN2_FEATURES,
        "imageDeprecationStatus": {"imageState": "Active"},
    }
    return body
