"""`provision cloud ...`: run the local cloud standalone and point other programs at it.

`start` serves in the foreground; `env`, `reset` and `status` find the running cloud through the
data dir's server.json and talk to its control endpoints (`/_cloud/...`, not Azure) with the CA and
the operator's control key from the data dir's cloud.json (the control API answers nobody else).
`env` prints its whole answer only once every lookup succeeded: a failing `eval "$(...)"` changes nothing.
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from provisioner.cli.cloud_control import Control as _Control
from provisioner.cli.cloud_control import resolve_host, status_lines
from provisioner.kinds.base import HostType

if TYPE_CHECKING:
    from provisioner.emulator.server import ServerInfo

OPERATOR_CREDENTIAL_VARIABLES = ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
# Every variable azure-identity's ManagedIdentityCredential reads to pick a host (App Service, IMDS via a
# custom authority, Cloud Shell, Arc, Service Fabric): one left from an earlier `env` would win over the new one.
MANAGED_IDENTITY_VARIABLES = (
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
)

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
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default 0: a free one).")
@data_dir_option
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, help="Latency added to every call.")
@click.option(
    "--throttle/--no-throttle", default=False, help="Enforce ARM's and Graph's token buckets (Azure's sizes)."
)
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
    command = shlex.join(["provision", "cloud", "env", "--data-dir", str(directory)])
    click.echo(f'In another shell: eval "$({command})"')
    click.echo("Press Ctrl-C to stop.")
    server.serve_forever()
    click.echo("Local cloud stopped.")


@cloud_group.command("env")
@data_dir_option
@click.option("--vm", "vm_ref", metavar="ID", help="Act inside this VM: its ARM id, or DEPLOYMENT:ADDRESS.")
@click.option("--web-app", "web_app_ref", metavar="ID", help="Act inside this web app: ARM id or DEPLOYMENT:ADDRESS.")
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where deployment state is kept, for DEPLOYMENT:ADDRESS (default: .provision/state).",
)
@click.option(
    "--az",
    "for_az",
    is_flag=True,
    help="Also set up the Azure CLI: its own config dir in the data dir, the local cloud registered and "
    "active, and az logged in as the operator (with --vm / --web-app: as that identity, az login --identity).",
)
def env(
    data_dir: Path | None, vm_ref: str | None, web_app_ref: str | None, state_dir: Path | None, for_az: bool
) -> None:
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
    lines: list[str] = []
    if vm_ref or web_app_ref:
        # Inside a VM or web app there is no client secret, and azure-identity would read a leftover
        # AZURE_CLIENT_ID as the user-assigned identity to ask for.
        for name in OPERATOR_CREDENTIAL_VARIABLES:
            del variables[name]
        lines.append(f"unset {' '.join(OPERATOR_CREDENTIAL_VARIABLES)}")
    control = _Control(info, identity.control_key)
    if vm_ref:
        vm_id = resolve_host(vm_ref, HostType.VIRTUAL_MACHINE, "alice:vm", state_dir)
        endpoint = control.call("GET", "/_cloud/vm-identity-endpoint", {"id": vm_id})
        variables["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = str(endpoint["authority_host"])
    if web_app_ref:
        site_id = resolve_host(web_app_ref, HostType.WEB_APP, "alice:web", state_dir)
        endpoint = control.call("GET", "/_cloud/web-app-identity-endpoint", {"id": site_id})
        variables["IDENTITY_ENDPOINT"] = str(endpoint["identity_endpoint"])
        variables["IDENTITY_HEADER"] = str(endpoint["identity_header"])
    stale = [name for name in MANAGED_IDENTITY_VARIABLES if name not in variables]
    lines.append(f"unset {' '.join(stale)}")
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    if for_az:
        # One config dir per port (a restarted cloud on another port must not find az's stale registration)
        # and per identity (signing in inside a VM must not sign the operator's az out).
        host = vm_ref or web_app_ref
        suffix = f"-{hashlib.sha256(host.encode()).hexdigest()[:12]}" if host else ""
        lines += az_lines(directory / f"az-{urlsplit(info.url).port}{suffix}", info.url, managed_identity=bool(host))
    click.echo("\n".join(lines))


AZ_CLOUD_NAME = "ProvisionLocal"


def az_lines(config_dir: Path, url: str, *, managed_identity: bool = False) -> list[str]:
    """What the Azure CLI needs to use the local cloud, after the operator's (or a VM's / web app's)
    variables are exported.

    az keeps its own logins and clouds in AZURE_CONFIG_DIR, so the user's real ones are not touched;
    MSAL refuses an authority it cannot discover unless instance discovery is off; az reads
    `AZURE_CORE_*` as its `core` settings. Inside a VM or web app, `az login --identity` asks MSAL,
    which finds the local endpoint as azure-identity does (AZURE_POD_IDENTITY_AUTHORITY_HOST for IMDS,
    IDENTITY_ENDPOINT and IDENTITY_HEADER for App Service)."""
    register = shlex.join(["az", "cloud", "register", "-n", AZ_CLOUD_NAME, "--endpoint-resource-manager", url])
    # --password=...: a generated secret may start with '-', which az's argparse would take for an option
    login = (
        "az login --identity -o none"
        if managed_identity
        else 'az login --service-principal -u "$AZURE_CLIENT_ID" --password="$AZURE_CLIENT_SECRET" '
        '--tenant "$AZURE_TENANT_ID" -o none'
    )
    return [
        f"export AZURE_CONFIG_DIR={shlex.quote(str(config_dir))}",
        "export AZURE_CORE_INSTANCE_DISCOVERY=false",
        "export AZURE_CORE_COLLECT_TELEMETRY=false",
        f"az cloud show -n {AZ_CLOUD_NAME} -o none 2>/dev/null || {register} -o none",
        f"az cloud set -n {AZ_CLOUD_NAME} -o none 2>/dev/null",
        login,
    ]


@cloud_group.command("reset")
@data_dir_option
def reset(data_dir: Path | None) -> None:
    """Forget every resource and directory object the running local cloud holds."""
    info, control = _connect(_data_dir(data_dir))
    control.call("POST", "/_cloud/reset")
    click.echo(f"Local cloud at {info.url} reset.")


@cloud_group.command("status")
@data_dir_option
def status(data_dir: Path | None) -> None:
    """Show where the running local cloud is and what it holds."""
    _, control = _connect(_data_dir(data_dir))
    for line in status_lines(control.call("GET", "/_cloud/status")):
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


def _connect(data_dir: Path) -> tuple[ServerInfo, _Control]:
    from provisioner.emulator.core.config import load_or_create_identity

    info = _running(data_dir)
    return info, _Control(info, load_or_create_identity(data_dir).control_key)


COMMANDS = (cloud_group,)
