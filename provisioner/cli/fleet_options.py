"""`--fleet FILE` and `--members a,b`, for the commands that run a fleet instead of one scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from provisioner.cli.scenario_options import SCENARIO_FILE

F = TypeVar("F", bound=Callable[..., Any])


def parse_members(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    if not names:
        raise click.BadParameter("name at least one member", ctx, param)
    return names


def fleet_option(command: F) -> F:
    return click.option(
        "--fleet", "fleet", type=SCENARIO_FILE, metavar="FILE",
        help="Run a fleet file's members (one deployment each) instead of one scenario.",
    )(command)  # fmt: skip


def fleet_options(command: F) -> F:
    command = click.option(
        "--members", callback=parse_members, metavar="A,B,...",
        help="With --fleet: only these members (comma-separated names).",
    )(command)  # fmt: skip
    return fleet_option(command)


def check_one_input(scenario: Path | None, options: dict[str, Any]) -> None:
    """A command runs a SCENARIO or a --fleet, never both; a fleet's members set their own variables."""
    if options.get("fleet") is None:
        if scenario is None:
            raise click.UsageError("give a SCENARIO file, or --fleet FILE")
        if options.get("members") is not None:
            raise click.UsageError("--members needs --fleet")
        return
    if scenario is not None:
        raise click.UsageError("give a SCENARIO or --fleet FILE, not both")
    per_member = (("--var", "overrides"), ("--vars-file", "vars_file"), ("--deployment", "deployment"))
    given = [flag for flag, key in per_member if options.get(key)]
    if given:
        raise click.UsageError(f"{', '.join(given)} cannot be used with --fleet: the fleet file sets each member's")
