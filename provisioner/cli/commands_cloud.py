"""`provision cloud ...`: run the local cloud standalone and point other programs at it.

`start` serves in the foreground; `env`, `reset` and `status` find the running cloud through the
data dir's server.json and talk to its control endpoints (`/_cloud/...`, not Azure) with the CA.
"""

from __future__ import annotations

import json
import shlex
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from provisioner.emulator.server import ServerInfo

CONTROL_TIMEOUT_SECONDS = 30.0
OPERATOR_CREDENTIAL_VARIABLES = ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The local cloud's data directory (default: .provision/cloud).",
)


@click.group("cloud")
def cloud_group() -> None:
    """Run the local cloud (Entra ID, ARM, Graph, managed identity) and connect other clients to it."""


@cloud_group.command("start")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (0: a free one).")
@data_dir_option
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, help="Latency added to every call.")
@click.option("--throttle/--no-throttle", default=False, help="Enforce ARM's per-subscription token buckets.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Fraction of calls answered 500/503.")
@click.option(
    "--replication-delay",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Seconds a new service principal stays invisible to role assignment.",
)
@click.option(
    "--rbac-delay",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Seconds a new role assignment takes to count for authorization (Azure RBAC propagation).",
)
@click.option("--async-polls", type=click.IntRange(min=1), default=1, help="Polls before an async operation ends.")
def start(
    *,
    port: int,
    data_dir: Path | None,
    latency_ms: float,
    throttle: bool,
    error_rate: float,
    replication_delay: float,
    rbac_delay: float,
    async_polls: int,
) -> None:
    """Serve the local cloud in the foreground until Ctrl-C."""
    from provisioner.emulator.core.faults import FaultSettings
    from provisioner.emulator.server import LocalCloudServer, find_running

    directory = _data_dir(data_dir)
    running = find_running(directory)
    if running is not None:
        raise click.ClickException(f"A local cloud for {directory} is already running at {running.url}.")
    faults = FaultSettings(
        latency_ms=latency_ms,
        throttle=throttle,
        error_rate=error_rate,
        replication_delay=replication_delay,
        rbac_delay=rbac_delay,
        async_polls=async_polls,
    )
    try:
        server = LocalCloudServer(directory, port=port, faults=faults)
    except OSError as exc:
        raise click.ClickException(f"Cannot start the local cloud: {exc}") from exc
    click.echo(f"Local cloud listening on {server.url}")
    click.echo(f"CA certificate: {server.ca_cert}")
    click.echo(f"In another shell: eval $(provision cloud env --data-dir {shlex.quote(str(directory))})")
    click.echo("Press Ctrl-C to stop.")
    server.serve_forever()
    click.echo("Local cloud stopped.")


@cloud_group.command("env")
@data_dir_option
@click.option("--vm", "vm_id", metavar="RESOURCE_ID", help="Act inside this VM (its managed identities).")
@click.option("--web-app", "web_app_id", metavar="RESOURCE_ID", help="Act inside this web app (App Service).")
def env(data_dir: Path | None, vm_id: str | None, web_app_id: str | None) -> None:
    """Print the `export` lines that point Azure SDKs and tools at the running local cloud."""
    from provisioner.emulator.core.config import load_or_create_identity

    directory = _data_dir(data_dir)
    info = _running(directory)
    identity = load_or_create_identity(directory)
    variables = {
        "AZURE_AUTHORITY_HOST": info.url,
        "AZURE_TENANT_ID": identity.tenant_id,
        "AZURE_CLIENT_ID": identity.operator_client_id,
        "AZURE_CLIENT_SECRET": identity.operator_secret,
        "AZURE_SUBSCRIPTION_ID": identity.subscription_id,
        "REQUESTS_CA_BUNDLE": str(info.ca_cert),
        "SSL_CERT_FILE": str(info.ca_cert),
        "AZURE_RESOURCE_MANAGER_ENDPOINT": info.url,
        "MICROSOFT_GRAPH_ENDPOINT": info.url,
    }
    if vm_id or web_app_id:
        # Inside a VM or web app there is no client secret, and azure-identity would read a leftover
        # AZURE_CLIENT_ID as the user-assigned identity to ask for.
        for name in OPERATOR_CREDENTIAL_VARIABLES:
            del variables[name]
        click.echo(f"unset {' '.join(OPERATOR_CREDENTIAL_VARIABLES)}")
    if vm_id:
        endpoint = _control(info, "GET", "/_cloud/vm-identity-endpoint", {"id": vm_id})
        variables["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = str(endpoint["authority_host"])
    if web_app_id:
        endpoint = _control(info, "GET", "/_cloud/web-app-identity-endpoint", {"id": web_app_id})
        variables["IDENTITY_ENDPOINT"] = str(endpoint["identity_endpoint"])
        variables["IDENTITY_HEADER"] = str(endpoint["identity_header"])
    for name, value in variables.items():
        click.echo(f"export {name}={shlex.quote(value)}")


@cloud_group.command("reset")
@data_dir_option
def reset(data_dir: Path | None) -> None:
    """Forget every resource and directory object the running local cloud holds."""
    info = _running(_data_dir(data_dir))
    _control(info, "POST", "/_cloud/reset")
    click.echo(f"Local cloud at {info.url} reset.")


@cloud_group.command("status")
@data_dir_option
def status(data_dir: Path | None) -> None:
    """Show where the running local cloud is and what it holds."""
    info = _running(_data_dir(data_dir))
    for line in _status_lines(_control(info, "GET", "/_cloud/status")):
        click.echo(line)


def _data_dir(data_dir: Path | None) -> Path:
    from provisioner.emulator.server import DEFAULT_DATA_DIR

    return data_dir if data_dir is not None else DEFAULT_DATA_DIR


def _running(data_dir: Path) -> ServerInfo:
    from provisioner.emulator.server import find_running

    info = find_running(data_dir)
    if info is None:
        raise click.ClickException(
            f"No local cloud is running for {data_dir}. Start one with `provision cloud start`"
            + ("" if data_dir == _data_dir(None) else f" --data-dir {shlex.quote(str(data_dir))}")
            + "."
        )
    return info


def _control(info: ServerInfo, method: str, path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    """Call a control endpoint of the local cloud, trusting only its CA."""
    url = info.url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
    context = ssl.create_default_context(cafile=str(info.ca_cert))
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, context=context, timeout=CONTROL_TIMEOUT_SECONDS) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise click.ClickException(f"The local cloud refused {method} {path}: {_error_message(exc)}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise click.ClickException(f"Could not reach the local cloud at {info.url}: {exc}") from exc
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


def _status_lines(document: dict[str, Any], indent: str = "") -> list[str]:
    lines: list[str] = []
    for key, value in document.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.extend(_status_lines(value, indent + "  "))
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines


COMMANDS = (cloud_group,)
