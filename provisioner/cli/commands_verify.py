"""`provision verify`: prove each check of a scenario with the identity's own token.

Exit 0 when no check failed (skipped checks do not fail a run, and the summary says they prove
nothing), 1 when any check failed, 2 for bad input.
"""

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
from provisioner.cli.fleet_options import check_one_input, fleet_options
from provisioner.cli.fleet_read import fleet_verify
from provisioner.cli.options import FILE, check_state_target, run_inputs, run_options
from provisioner.verify.model import CheckResult, Result, VerifyReport
from provisioner.verify.run import verify

PIPE_WIDTH = 160  # table width when the output is not a terminal
STYLES = {Result.PASS: "green", Result.FAIL: "red", Result.SKIPPED: "yellow"}


@click.command("verify")
@click.argument("scenario", type=FILE, required=False)
@run_options
@fleet_options
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def verify_command(scenario: Path | None, parallelism: int, as_json: bool, **options: Any) -> int:
    """Prove each check of the scenario (or of every member of a --fleet) as the identity itself (exit 1
    when any check fails)."""
    check_one_input(scenario, options)
    if options["fleet"] is not None:
        return fleet_verify(
            options["fleet"], options["members"], parallelism=parallelism, as_json=as_json, options=options
        )
    assert scenario is not None
    inputs = run_inputs(scenario, options)
    loaded, deployment = inputs.load()
    with inputs.session() as session, Clients(session.target()) as clients:
        target = session.target()
        state = session.state().load(deployment)
        if state is not None:
            check_state_target(state, target)
        click.echo(target.description, err=as_json)
        report = verify(loaded, state, clients, deployment=deployment, target=inputs.target, parallelism=parallelism)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print(report)
    return EXIT_OK if report.ok else EXIT_FAILURE


def _print(report: VerifyReport) -> None:
    console = Console() if sys.stdout.isatty() else Console(width=PIPE_WIDTH)
    if report.results:
        console.print(_table(report.results))
    for result in report.results:
        if result.result is not Result.PASS:
            console.print(Text(f"  #{result.index + 1} {result.check.location}: {result.reason}"))
    console.print(Text(report.summary(), style="red" if not report.ok else ""))


def _table(results: list[CheckResult]) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("#", "check", "identity", "expected", "actual", "result"):
        table.add_column(column, overflow="fold")
    for result in results:
        table.add_row(
            str(result.index + 1),
            Text(result.check.title),
            Text(result.acting_as),
            str(result.expected),
            Text(result.outcome.text),
            Text(str(result.result), style=STYLES[result.result]),
        )
    return table


COMMANDS = (verify_command,)
