"""`--var NAME=VALUE`, `--vars-file` and `--allow-outside-files`, for every command that loads a scenario.

Only click is imported here, so `validate` stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
# Not `dir_okay=False`: the loader says what is wrong with a directory, FIFO or device, as file:line:col.
SCENARIO_FILE = click.Path(path_type=Path)


def parse_vars(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got '{value}'", ctx, param)
        overrides[name] = text
    return overrides


def scenario_options(command: F) -> F:
    """`--var NAME=VALUE` (repeatable, as `overrides`), `--vars-file` and `--allow-outside-files`."""
    command = click.option(
        "--allow-outside-files",
        is_flag=True,
        help="Let attributes such as content_file read files outside the scenario's folder.",
    )(command)
    command = click.option("--vars-file", type=SCENARIO_FILE, help="YAML mapping of variable values.")(command)
    return click.option(
        "--var",
        "overrides",
        multiple=True,
        metavar="NAME=VALUE",
        callback=parse_vars,
        help="Set a variable (repeatable); wins over --vars-file and the file's defaults.",
    )(command)
