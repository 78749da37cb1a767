"""App Service's runtime stack catalogue (`Microsoft.Web/webAppStacks`), which `az webapp create
--runtime` and `az webapp list-runtimes` read: a few current stacks (Python 3.11/3.12, Node 22 LTS, .NET 10) in the
spec's shape (stack -> majorVersions -> minorVersions -> stackSettings with linux/windows runtime
settings). Served tenant-wide and per location, filtered by `stackOsType` as Azure does."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class MinorVersion:
    stack: str
    major: tuple[str, str]  # (displayText, value)
    minor: tuple[str, str]
    linux: str | None  # runtimeVersion on Linux (linuxFxVersion), None if not offered
    windows: str | None
    github_version: str
    end_of_life: str

    def body(self) -> dict[str, Any]:
        settings = {}
        if self.linux:
            settings["linuxRuntimeSettings"] = _settings(self.linux, self.github_version, self.end_of_life)
        if self.windows:
            settings["windowsRuntimeSettings"] = _settings(self.windows, self.github_version, self.end_of_life)
        return {"displayText": self.minor[0], "value": self.minor[1], "stackSettings": settings}


# name -> (displayText, preferredOs); then each minor version, with App Service's published
# runtime strings and end-of-life dates.
STACKS = {"python": ("Python", "linux"), "node": ("Node", "linux"), "dotnet": (".NET", "windows")}
MINOR_VERSIONS = (
    MinorVersion(
        "python", ("Python 3", "3"), ("Python 3.12", "3.12"), "PYTHON|3.12", None, "3.12", "2028-10-31T00:00:00Z"
    ),
    MinorVersion(
        "python", ("Python 3", "3"), ("Python 3.11", "3.11"), "PYTHON|3.11", None, "3.11", "2027-10-31T00:00:00Z"
    ),
    MinorVersion(
        "node", ("Node LTS", "22-lts"), ("Node 22 LTS", "22-lts"), "NODE|22-lts", "~22", "22.x", "2027-04-30T00:00:00Z"
    ),
    MinorVersion(
        "dotnet",
        (".NET 10", "10"),
        (".NET 10 (LTS)", "10"),
        "DOTNETCORE|10.0",
        "v10.0",
        "10.0.x",
        "2028-11-14T00:00:00Z",
    ),
)


def _for_os(minor: dict[str, Any], wanted: str | None) -> dict[str, Any] | None:
    """The minor version with only the settings of the OS asked for; None if it has none for it."""
    if wanted is None:
        return minor
    settings = minor["stackSettings"]
    return minor | {"stackSettings": {wanted: settings[wanted]}} if wanted in settings else None


def _stack(name: str, os_type: str | None) -> dict[str, Any]:
    wanted = None if os_type in (None, "all") else f"{os_type}RuntimeSettings"
    display, preferred = STACKS[name]
    majors: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for version in MINOR_VERSIONS:
        found = _for_os(version.body(), wanted) if version.stack == name else None
        if found is not None:
            majors.setdefault(version.major, []).append(found)
    major_versions = [
        {"displayText": major[0], "value": major[1], "minorVersions": minors} for major, minors in majors.items()
    ]
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
    stacks = [_stack(name, lowered) for name in STACKS]
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
