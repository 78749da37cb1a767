"""`provision verify --fleet FILE` (one row per member and check) and `provision output|show --fleet FILE`
(every member's outputs, or state, in one document: the list a teacher hands out)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from provisioner.azure.clients import Clients
from provisioner.cli.exits import EXIT_FAILURE, EXIT_OK
from provisioner.cli.fleet_inputs import fleet_inputs, load_members
from provisioner.cli.options import check_state_target, open_state_backend, value_text
from provisioner.fleet import load_fleet
from provisioner.state import DeploymentState
from provisioner.state.backend import state_location
from provisioner.verify.model import Result, VerifyReport
from provisioner.verify.run import Deployed, verify_many

PIPE_WIDTH = 160
STYLES = {Result.PASS: "green", Result.FAIL: "red", Result.SKIPPED: "yellow"}


def fleet_verify(
    fleet_path: Path, names: tuple[str, ...] | None, *, parallelism: int, as_json: bool, options: dict[str, Any]
) -> int:
    """Every member's checks, their probes run together; exit 1 when any check of any member failed."""
    fleet, loaded = load_members(fleet_path, names, options["allow_outside_files"])
    inputs = fleet_inputs(fleet_path, options)
    with inputs.session() as session, Clients(session.target()) as clients:
        target = session.target()
        store = session.state()
        deployed = []
        for one in loaded:
            state = store.load(one.deployment)
            if state is not None:
                check_state_target(state, target)
            deployed.append(Deployed(one.deployment, one.scenario, state))
        click.echo(target.description, err=as_json)
        reports = verify_many(deployed, clients, target=inputs.target, parallelism=parallelism)
    by_member = {one.name: reports[one.deployment] for one in loaded}
    if as_json:
        members = {name: report.to_json() for name, report in by_member.items()}
        click.echo(json.dumps({"fleet": fleet.name, "members": members}, indent=2))
    else:
        _print(by_member)
    return EXIT_OK if all(report.ok for report in by_member.values()) else EXIT_FAILURE


def _print(reports: dict[str, VerifyReport]) -> None:
    console = Console() if sys.stdout.isatty() else Console(width=PIPE_WIDTH)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("member", "#", "check", "identity", "expected", "actual", "result"):
        table.add_column(column, overflow="fold")
    for member, report in reports.items():
        for result in report.results:
            table.add_row(
                member, str(result.index + 1), Text(result.check.title), Text(result.acting_as),
                str(result.expected), Text(result.outcome.text), Text(str(result.result), style=STYLES[result.result]),
            )  # fmt: skip
    console.print(table)
    for member, report in reports.items():
        for result in report.results:
            if result.result is not Result.PASS:
                console.print(Text(f"  {member} #{result.index + 1} {result.check.location}: {result.reason}"))
    failed = [member for member, report in reports.items() if not report.ok]
    summary = f"Verify: {len(reports) - len(failed)} of {len(reports)} member(s) passed every check"
    console.print(Text(summary + (f"; failed: {', '.join(failed)}." if failed else "."), style="red" if failed else ""))


def _member_states(
    fleet_path: Path, options: dict[str, Any]
) -> tuple[str, dict[str, tuple[str, DeploymentState | None]]]:
    """The fleet's name and, per member, its deployment and state (None: never applied)."""
    fleet = load_fleet(fleet_path).select(options.get("members"))
    location = state_location(options["state"], options["state_dir"])
    where = (options["target"], options["subscription"], options["cloud"], options["data_dir"])
    with open_state_backend(location, *where) as store:
        states = {member.name: (member.deployment, store.load(member.deployment)) for member in fleet.members}
    return fleet.name, states


def fleet_output(fleet_path: Path, name: str | None, *, as_json: bool, options: dict[str, Any]) -> int:
    """Every member's outputs (or one NAME of each) in one document."""
    fleet, states = _member_states(fleet_path, options)
    members: dict[str, Any] = {}
    for member, (deployment, state) in states.items():
        outputs = state.outputs if state is not None else {}
        members[member] = {"deployment": deployment, "applied": state is not None, "outputs": outputs}
        if name is not None:
            members[member] = {"deployment": deployment, name: outputs.get(name)}
    if as_json:
        click.echo(json.dumps({"fleet": fleet, "members": members}, indent=2))
        return EXIT_OK
    for member, entry in members.items():
        values = {name: entry[name]} if name is not None else entry["outputs"]
        for key, value in values.items():
            click.echo(f"{member}: {key} = {value_text(value)}")
    return EXIT_OK


def fleet_show(fleet_path: Path, *, as_json: bool, options: dict[str, Any]) -> int:
    """Every member's state: its resources and their Azure ids (the whole documents with --json)."""
    fleet, states = _member_states(fleet_path, options)
    if as_json:
        members = {m: {"deployment": d, "state": s.to_json() if s else None} for m, (d, s) in states.items()}
        click.echo(json.dumps({"fleet": fleet, "members": members}, indent=2))
        return EXIT_OK
    for member, (deployment, state) in states.items():
        if state is None:
            click.echo(f"{member} ({deployment}): not applied")
            continue
        click.echo(f"{member} ({deployment}): {len(state.resources)} resource(s), serial {state.serial}")
        for address, entry in sorted(state.resources.items()):
            click.echo(f"  {address} ({entry.kind}): {entry.azure_id or '(unknown)'}")
        for key, value in state.outputs.items():
            click.echo(f"  output {key} = {value_text(value)}")
    return EXIT_OK
