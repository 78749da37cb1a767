"""`provision validate`, `provision schema` and `provision graph`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from provisioner.cli.exits import EXIT_BAD_INPUT, EXIT_OK
from provisioner.cli.scenario_options import SCENARIO_FILE, scenario_options
from provisioner.errors import ScenarioError
from provisioner.fleet import load_fleet
from provisioner.fleet.loader import fleet_schema
from provisioner.fleet.scenarios import load_scenarios
from provisioner.scenario import Scenario, load_scenario
from provisioner.scenario.dependency_graph import FORMATS
from provisioner.scenario.schema import scenario_schema

F = TypeVar("F", bound=Callable[..., Any])


@click.command("validate")
@click.argument("scenarios", nargs=-1, type=SCENARIO_FILE)
@scenario_options
@click.option("--fleet", "fleets", multiple=True, type=SCENARIO_FILE, metavar="FILE", help="A fleet file (repeatable).")
def validate_command(
    scenarios: tuple[Path, ...],
    overrides: dict[str, str],
    vars_file: Path | None,
    allow_outside_files: bool,
    fleets: tuple[Path, ...],
) -> int:
    """Check scenario files (and fleet files, with every member's scenario) without any cloud call; every
    problem is printed as file:line:col.

    Exits 2 if any file has an error; warnings alone exit 0.
    """
    if not scenarios and not fleets:
        raise click.UsageError("give SCENARIO files, or --fleet FILE")
    failed = any([_validate_fleet(path, allow_outside_files) for path in fleets])
    for path in scenarios:
        try:
            scenario = load_scenario(
                path, overrides=overrides, vars_file=vars_file, allow_outside_files=allow_outside_files
            )
        except ScenarioError as exc:
            for diagnostic in exc.diagnostics:
                click.echo(diagnostic.render(), err=True)
            failed = True
            continue
        for warning in scenario.warnings:
            click.echo(warning.render(), err=True)
        click.echo(_summary(path, scenario))
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _validate_fleet(path: Path, allow_outside_files: bool) -> bool:
    """Prints the fleet's problems (True) or a summary of its members (False)."""
    try:
        fleet = load_fleet(path)
        loaded = load_scenarios(fleet, allow_outside_files=allow_outside_files)
    except ScenarioError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.render(), err=True)
        return True
    scenarios = Counter(one.scenario.name for one in loaded)
    listing = ", ".join(f"{count} of {name}" for name, count in scenarios.items())
    click.echo(f"{path}: fleet '{fleet.name}' is valid: {_count(len(loaded), 'member')} ({listing or 'none'})")
    return False


def _summary(path: Path, scenario: Scenario) -> str:
    kinds = Counter(resource.kind for resource in scenario.resources.values())
    checks = [check.title for check in scenario.checks]
    return "\n".join(
        [
            f"{path}: scenario '{scenario.name}' is valid",
            f"  {_count(len(scenario.resources), 'resource')}: "
            + ", ".join(f"{count} {kind}" for kind, count in kinds.items()),
            f"  {_count(len(checks), 'check')}" + "".join(f"\n    {check}" for check in checks),
        ]
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


@click.command("schema")
@click.option("--fleet", "fleet", is_flag=True, help="The schema of fleet files instead.")
def schema_command(fleet: bool) -> int:
    """Print the JSON Schema of scenario files, or of fleet files (for editors: yaml-language-server)."""
    click.echo(json.dumps(fleet_schema() if fleet else scenario_schema(), indent=2))
    return EXIT_OK


@click.command("graph")
@click.argument("scenario", type=SCENARIO_FILE)
@click.option("--format", "style", type=click.Choice(sorted(FORMATS)), default="mermaid", show_default=True)
@scenario_options
def graph_command(
    scenario: Path, style: str, overrides: dict[str, str], vars_file: Path | None, allow_outside_files: bool
) -> int:
    """Print the dependency graph of a scenario (edges point from a resource to its dependents)."""
    loaded = load_scenario(scenario, overrides=overrides, vars_file=vars_file, allow_outside_files=allow_outside_files)
    click.echo(FORMATS[style](loaded), nl=False)
    return EXIT_OK


COMMANDS = (validate_command, schema_command, graph_command)
