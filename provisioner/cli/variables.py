"""`--var NAME=VALUE` and `--vars-file`, for every command that loads a scenario.

Only click is imported here, so `validate` stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
SCENARIO_FILE = click.Path(path_type=Path, dir_okay=False)


def parse_vars(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got '{value}'", ctx, param)
        overrides[name] = text
    return overrides


def variable_options(command: F) -> F:
    """`--var NAME=VALUE` (repeatable, as `overrides`) and `--vars-file`."""
    command = click.option("--vars-file", type=SCENARIO_FILE, help="YAML mapping of variable values.")(command)
    return click.option(
        "--var",
        "overrides",
        multiple=True,
        metavar="NAME=VALUE",
        callback=parse_vars,
        help="Set a variable (repeatable); wins over --vars-file and the file's defaults.",
    )(command)
