"""What `provision cloud env|status|reset` need besides click: the control API client, the lookup of
a VM or web app named as DEPLOYMENT:ADDRESS, and the status listing.

The control API (`/_cloud/...`) answers only the operator; the CLI sends the control key it reads
from the data dir's 0600 cloud.json, and never prints it.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from provisioner.kinds.base import HostType

if TYPE_CHECKING:
    from provisioner.emulator.server import ServerInfo

CONTROL_TIMEOUT_SECONDS = 30.0
CONTROL_KEY_HEADER = "X-Control-Key"


class Control:
    """Calls to a running local cloud's control endpoints, trusting only its CA."""

    def __init__(self, info: ServerInfo, key: str) -> None:
        self.info = info
        self._key = key

    def call(self, method: str, path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
        url = self.info.url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        context = ssl.create_default_context(cafile=str(self.info.ca_cert))
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        request.add_header(CONTROL_KEY_HEADER, self._key)
        try:
            with urllib.request.urlopen(request, context=context, timeout=CONTROL_TIMEOUT_SECONDS) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise click.ClickException(f"The local cloud refused {method} {path}: {_error_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise click.ClickException(f"Could not reach the local cloud at {self.info.url}: {exc}") from None
        document = json.loads(body) if body.strip() else {}
        return document if isinstance(document, dict) else {"value": document}


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(error.read()).get("error", {})
    except ValueError:
        return f"HTTP {error.code}"
    if isinstance(detail, dict) and "message" in detail:
        return f"{detail.get('code', error.code)}: {detail['message']}"
    return f"HTTP {error.code}"


def resolve_host(reference: str, host: HostType, example: str, state_dir: Path | None) -> str:
    """The ARM id of a VM or web app (a resource of a kind with this host type) given as its id or as
    DEPLOYMENT:ADDRESS, read from that deployment's state."""
    what = str(host)
    if reference.startswith("/"):
        return reference
    deployment, separator, address = reference.partition(":")
    if not separator or not deployment or not address:
        raise click.BadParameter(
            f"'{reference}' is neither an ARM id (/subscriptions/...) nor DEPLOYMENT:ADDRESS (e.g. {example}: "
            f"the {what} at that address of the deployment `provision apply --deployment "
            f"{example.partition(':')[0]}` made)."
        )
    from provisioner.errors import ProvisionError
    from provisioner.kinds import KINDS
    from provisioner.state import DEFAULT_STATE_DIR, StateStore

    store = StateStore(state_dir or DEFAULT_STATE_DIR)
    try:
        state = store.load(deployment)
    except ProvisionError as problem:
        raise click.ClickException(str(problem)) from None
    if state is None:
        known = ", ".join(store.deployments()) or "none"
        raise click.ClickException(f"No deployment '{deployment}' in {store.directory} (deployments: {known}).")
    kinds = {name for name, info in KINDS.items() if info.host is host}
    hosts = sorted(name for name, resource in state.resources.items() if resource.kind in kinds)
    resource = state.resources.get(address)
    if resource is None or resource.kind not in kinds:
        listing = ", ".join(f"{deployment}:{name}" for name in hosts) or "none"
        raise click.ClickException(f"Deployment '{deployment}' has no {what} at '{address}' ({what}s: {listing}).")
    if not resource.azure_id:
        raise click.ClickException(f"The {what} {reference} does not exist yet: run `provision apply` first.")
    return resource.azure_id


def status_lines(document: dict[str, Any]) -> list[str]:
    """`provision cloud status`: where the cloud is, its faults, then every resource and directory object."""
    holdings = document.pop("holdings", {})
    lines = _key_values(document)
    resources: dict[str, list[str]] = holdings.get("resources", {})
    lines.append(f"holds {sum(len(ids) for ids in resources.values())} resources:")
    for kind, ids in resources.items():
        lines.append(f"  {kind}")
        lines.extend(f"    {_described(resource_id)}" for resource_id in ids)
    directory: dict[str, list[str]] = holdings.get("directory", {})
    lines.append(f"holds {sum(len(names) for names in directory.values())} directory objects:")
    for kind, names in directory.items():
        lines.append(f"  {kind}")
        lines.extend(f"    {name}" for name in names)
    return lines


def _described(resource_id: str) -> str:
    """`name` (or `name  in group`) of an ARM id."""
    parts = resource_id.strip("/").split("/")
    lowered = [part.lower() for part in parts]
    name = parts[-1]
    if "resourcegroups" in lowered[:-2]:
        return f"{name}  (resource group {parts[lowered.index('resourcegroups') + 1]})"
    return name


def _key_values(document: dict[str, Any], indent: str = "") -> list[str]:
    lines: list[str] = []
    for key, value in document.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.extend(_key_values(value, indent + "  "))
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines
