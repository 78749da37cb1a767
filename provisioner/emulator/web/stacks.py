"""App Service's runtime stack catalogue (`Microsoft.Web/webAppStacks`), which `az webapp create
--runtime` and `az webapp list-runtimes` read: a few current stacks (Python, Node, .NET) in the
spec's shape (stack -> majorVersions -> minorVersions -> stackSettings with linux/windows runtime
settings). Served tenant-wide and per location, filtered by `stackOsType` as Azure does."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.regions import check_location
from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface

routes = RouteTable(Surface.ARM)
STACK_TYPE = "Microsoft.Web/webAppStacks"
OS_TYPES = ("windows", "linux", "all")


def _settings(runtime_version: str, github_version: str, end_of_life: str) -> dict[str, Any]:
    return {
        "runtimeVersion": runtime_version,
        "remoteDebuggingSupported": False,
        "appInsightsSettings": {"isSupported": True},
        "gitHubActionSettings": {"isSupported": True, "supportedVersion": github_version},
        "endOfLifeDate": end_of_life,
    }


def _minor(display: str, value: str, **settings: dict[str, Any]) -> dict[str, Any]:
    return {"displayText": display, "value": value, "stackSettings": settings}


# (name, display, preferred OS, [(major display, major value, [minor versions])]); versions and
# end-of-life dates are App Service's published ones.
STACKS: tuple[tuple[str, str, str, list[tuple[str, str, list[dict[str, Any]]]]], ...] = (
    (
        "python",
        "Python",
        "linux",
        [
            (
                "Python 3",
                "3",
                [
                    _minor(
                        "Python 3.12",
                        "3.12",
                        linuxRuntimeSettings=_settings("PYTHON|3.12", "3.12", "2028-10-31T00:00:00Z"),
                    ),
                    _minor(
                        "Python 3.11",
                        "3.11",
                        linuxRuntimeSettings=_settings("PYTHON|3.11", "3.11", "2027-10-31T00:00:00Z"),
                    ),
                ],
            )
        ],
    ),
    (
        "node",
        "Node",
        "linux",
        [
            (
                "Node LTS",
                "20-lts",
                [
                    _minor(
                        "Node 20 LTS",
                        "20-lts",
                        linuxRuntimeSettings=_settings("NODE|20-lts", "20.x", "2026-04-30T00:00:00Z"),
                        windowsRuntimeSettings=_settings("~20", "20.x", "2026-04-30T00:00:00Z"),
                    )
                ],
            )
        ],
    ),
    (
        "dotnet",
        ".NET",
        "windows",
        [
            (
                ".NET 8",
                "8",
                [
                    _minor(
                        ".NET 8 (LTS)",
                        "8",
                        linuxRuntimeSettings=_settings("DOTNETCORE|8.0", "8.0.x", "2026-11-10T00:00:00Z"),
                        windowsRuntimeSettings=_settings("v8.0", "8.0.x", "2026-11-10T00:00:00Z"),
                    )
                ],
            )
        ],
    ),
)


def _for_os(minor: dict[str, Any], wanted: str | None) -> dict[str, Any] | None:
    """The minor version with only the settings of the OS asked for; None if it has none for it."""
    if wanted is None:
        return minor
    settings = minor["stackSettings"]
    return minor | {"stackSettings": {wanted: settings[wanted]}} if wanted in settings else None


def _stack(name: str, display: str, preferred: str, majors: list[Any], os_type: str | None) -> dict[str, Any]:
    wanted = None if os_type in (None, "all") else f"{os_type}RuntimeSettings"
    major_versions = []
    for major_display, major_value, minors in majors:
        kept = [found for minor in minors if (found := _for_os(minor, wanted)) is not None]
        if kept:
            major_versions.append({"displayText": major_display, "value": major_value, "minorVersions": kept})
    return {
        "id": None,
        "name": name,
        "type": STACK_TYPE,
        "properties": {
            "displayText": display,
            "value": name,
            "preferredOs": preferred,
            "majorVersions": major_versions,
        },
    }


def _catalogue(call: Call, location: str | None) -> Response:
    os_type = call.query_value("stackOsType")
    if os_type is not None and os_type.lower() not in OS_TYPES:
        raise CloudServiceError(
            400, "BadRequest", f"The parameter stackOsType has an invalid value '{os_type}': Windows, Linux or All."
        )
    lowered = os_type.lower() if os_type else None
    stacks = [_stack(*stack, lowered) for stack in STACKS]
    kept = [stack for stack in stacks if stack["properties"]["majorVersions"]]
    if location is not None:
        for stack in kept:
            stack["location"] = location
    return arm_json({"value": kept})


@routes.get("/providers/Microsoft.Web/webAppStacks")
async def web_app_stacks(call: Call) -> Response:
    return _catalogue(call, None)


@routes.get("/providers/Microsoft.Web/locations/{location}/webAppStacks")
async def web_app_stacks_for_location(call: Call) -> Response:
    return _catalogue(call, check_location(call.params["location"], "resource type"))
