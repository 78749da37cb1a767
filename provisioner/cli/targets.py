"""Opening the target of a run. `local` attaches to the local cloud serving the data dir, or starts it
in-process on a free port for the length of the command; this is the only place outside
`provision cloud` that imports the emulator. `azure` uses DefaultAzureCredential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from provisioner.azure.target import LocalCloudConnection, Target, azure_target, local_target

if TYPE_CHECKING:
    from provisioner.emulator.core.config import CloudIdentity
    from provisioner.emulator.server import LocalCloudServer

F = TypeVar("F", bound=Callable[..., Any])
TARGETS = ("local", "azure")
TARGET_VARIABLE = "PROVISION_TARGET"
DEFAULT_TARGET = "local"


def target_options(command: F) -> F:
    options = [
        click.option(
            "--target",
            type=click.Choice(TARGETS),
            envvar=TARGET_VARIABLE,
            default=DEFAULT_TARGET,
            show_default=True,
            help=f"Where to provision (also {TARGET_VARIABLE}).",
        ),
        click.option("--subscription", help="Azure subscription id (--target azure; else AZURE_SUBSCRIPTION_ID)."),
        click.option("--cloud", default="AzureCloud", show_default=True, help="Azure cloud (--target azure)."),
        click.option(
            "--data-dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="The local cloud's data directory (--target local; default .provision/cloud).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextmanager
def open_target(name: str, *, subscription: str | None, cloud: str, data_dir: Path | None) -> Iterator[Target]:
    """The target for one command; a local cloud started here stops when the command ends."""
    if name == "azure":
        target = azure_target(subscription, cloud)
        try:
            yield target
        finally:
            target.close()
        return
    with _local_connection(data_dir) as connection:
        target = local_target(connection)
        try:
            yield target
        finally:
            target.close()


@contextmanager
def _local_connection(data_dir: Path | None) -> Iterator[LocalCloudConnection]:
    from provisioner.emulator.core.config import load_or_create_identity
    from provisioner.emulator.discovery import DEFAULT_DATA_DIR, find_running

    directory = data_dir if data_dir is not None else DEFAULT_DATA_DIR
    running = find_running(directory)
    if running is not None:  # attaching needs none of the emulator's services (a second of imports)
        yield operator_connection(running.url, running.ca_cert, load_or_create_identity(directory))
        return
    from provisioner.emulator.server import LocalCloudServer

    server = LocalCloudServer(directory)
    server.start()
    try:
        yield server_connection(server)
    finally:
        server.stop()


def server_connection(server: LocalCloudServer) -> LocalCloudConnection:
    """How to reach an in-process local cloud as its operator (the tests and benchmarks start one)."""
    return operator_connection(server.url, server.ca_cert, server.cloud.identity)


def operator_connection(url: str, ca_cert: Path, identity: CloudIdentity) -> LocalCloudConnection:
    return LocalCloudConnection(
        url=url,
        tenant_id=identity.tenant_id,
        subscription_id=identity.subscription_id,
        client_id=identity.operator_client_id,
        client_secret=identity.operator_secret,
        ca_cert=ca_cert,
    )
