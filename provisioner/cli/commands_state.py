"""`provision state list|show|pull|push|mv|rm|unlock|migrate`: read and move deployment state in either backend."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from provisioner.cli.options import open_state_backend, state_dir_option, state_option
from provisioner.cli.targets import target_options
from provisioner.errors import StateError
from provisioner.state import DeploymentState
from provisioner.state.backend import StateBackend, state_location


@dataclass(frozen=True)
class StateInputs:
    location: str
    target: str
    subscription: str | None
    cloud: str
    data_dir: Path | None

    def open(self, location: str | None = None) -> AbstractContextManager[StateBackend]:
        return open_state_backend(location or self.location, self.target, self.subscription, self.cloud, self.data_dir)


@click.group("state")
@state_option
@state_dir_option
@target_options
@click.pass_context
def state_group(context: click.Context, /, state: str | None, state_dir: Path, **target: Any) -> None:
    """Read, copy and repair deployment state (a directory or azblob://ACCOUNT/CONTAINER[/PREFIX])."""
    context.obj = StateInputs(state_location(state, state_dir), **target)


def _inputs() -> StateInputs:
    inputs: StateInputs = click.get_current_context().obj
    return inputs


def _text(state: DeploymentState) -> str:
    return json.dumps(state.to_json(), indent=2) + "\n"


@state_group.command("list")
def list_command() -> None:
    """The deployments that have state here."""
    with _inputs().open() as store:
        for name in store.deployments():
            click.echo(name)


version_option = click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    metavar="N",
    help="A kept earlier version (see `state history`) instead of the current document.",
)


def _document(store: StateBackend, deployment: str, version: int | None) -> DeploymentState:
    if version is not None:
        return store.history.load(deployment, version)
    return _existing(store.load(deployment), deployment)


@state_group.command("show")
@click.argument("deployment")
@version_option
def show_command(deployment: str, version: int | None) -> None:
    """Print a deployment's state document."""
    with _inputs().open() as store:
        click.echo(_text(_document(store, deployment, version)), nl=False)


@state_group.command("history")
@click.argument("deployment")
def history_command(deployment: str) -> None:
    """The kept earlier versions of a deployment's state, newest first (PROVISION_STATE_HISTORY of them)."""
    with _inputs().open() as store:
        versions = store.history.versions(deployment)
        if not versions:
            click.echo(f"No earlier versions of '{deployment}' are kept in {store.describe()}.")
        for version in versions:
            state = version.state
            click.echo(
                f"v{version.number}  serial {state.serial}  {state.updated or '-'}  {len(state.resources)} resources"
            )


@state_group.command("pull")
@click.argument("deployment")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@version_option
def pull_command(deployment: str, file: Path, version: int | None) -> None:
    """Copy a deployment's state document (or a kept version: roll back with `push`) to FILE."""
    with _inputs().open() as store:
        file.write_text(_text(_document(store, deployment, version)), encoding="utf-8")
        file.chmod(0o600)
    click.echo(f"Wrote the state of '{deployment}' to {file}.")


@state_group.command("push")
@click.argument("deployment")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def push_command(deployment: str, file: Path) -> None:
    """Replace a deployment's state with FILE's document (under the deployment's lock)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise StateError(f"{file}: state is not valid JSON ({exc})") from None
    pushed = DeploymentState.from_json(data, str(file))
    if pushed.deployment != deployment:
        raise StateError(f"{file} holds the state of '{pushed.deployment}', not '{deployment}'")
    with _inputs().open() as store, store.lock(deployment, command="state push"):
        store.load(deployment)  # the ETag this write replaces
        store.save(pushed)
    click.echo(f"Pushed {file} as the state of '{deployment}' in {store.describe()}.")


@state_group.command("mv")
@click.argument("deployment")
@click.argument("new_name", metavar="NEW")
def mv_command(deployment: str, new_name: str) -> None:
    """Rename a deployment's state (under both names' locks; NEW must have no state yet)."""
    with (
        _inputs().open() as store,
        store.lock(deployment, command="state mv"),
        store.lock(new_name, command="state mv"),
    ):
        state = _existing(store.load(deployment), deployment)
        if store.load(new_name) is not None:
            raise StateError(f"'{new_name}' already has state in {store.describe()}; not overwritten")
        store.history.copy_to(store.history, deployment, new_name)
        state.deployment = new_name
        store.save(state)
        store.delete(deployment, keep_last=False)
        store.history.drop(deployment)
    click.echo(f"Moved the state of '{deployment}' to '{new_name}' in {store.describe()}.")


@state_group.command("rm")
@click.argument("deployment")
@click.option("--force", is_flag=True, help="Remove it even though it still records resources.")
def rm_command(deployment: str, force: bool) -> None:
    """Forget a deployment's state (the cloud is not touched; the document stays readable in `state history`)."""
    with _inputs().open() as store, store.lock(deployment, command="state rm"):
        state = _existing(store.load(deployment), deployment)
        if state.resources and not force:
            raise StateError(
                f"deployment '{deployment}' still records {len(state.resources)} resources; destroy it, "
                "or pass --force to forget them"
            )
        store.delete(deployment)
    click.echo(f"Removed the state of '{deployment}' from {store.describe()}.")


@state_group.command("unlock")
@click.argument("deployment")
@click.option("--force", is_flag=True, help="Do not ask (pipelines): break the lock even if its holder may still run.")
def unlock_command(deployment: str, force: bool) -> None:
    """Break a deployment's lock (a holder still running loses its next write to the next writer, by ETag)."""
    if not force:
        if not sys.stdin.isatty():
            raise click.UsageError("unlock asks for confirmation; without a terminal pass --force")
        click.confirm(f"Break the lock of '{deployment}'? Its holder may still be running", abort=True)
    with _inputs().open() as store:
        holder = store.break_lock(deployment)
    click.echo(f"Broke the lock of '{deployment}' held by {holder.describe()}." if holder else "It was not locked.")


@state_group.command("migrate")
@click.option("--to", "destination", required=True, metavar="LOCATION", help="Where to copy every deployment.")
def migrate_command(destination: str) -> None:
    """Copy every deployment's state and its kept versions to another backend (refusing to overwrite one
    there); the source stays."""
    inputs = _inputs()
    with inputs.open() as source, inputs.open(destination) as target:
        for deployment in source.deployments():
            with source.lock(deployment, command="state migrate"), target.lock(deployment, command="state migrate"):
                state = _existing(source.load(deployment), deployment)
                if target.load(deployment) is not None:
                    raise StateError(f"'{deployment}' already has state in {destination}; not overwritten")
                source.history.copy_to(target.history, deployment)
                target.save(state)
            click.echo(f"Copied '{deployment}' to {target.describe()}.")


def _existing(state: DeploymentState | None, deployment: str) -> DeploymentState:
    if state is None:
        raise StateError(f"no state for deployment '{deployment}'")
    return state


COMMANDS = (state_group,)
