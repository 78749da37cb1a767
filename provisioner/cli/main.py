"""`provision` entry point: the click group, and the mapping of errors to exit codes."""

from __future__ import annotations

import sys

import click

from provisioner import __version__
from provisioner.errors import (
    ConfigurationError,
    LockHeldError,
    ProvisionError,
    ScenarioError,
)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def exit_code_for(error: ProvisionError) -> int:
    """Bad input is 2; everything else that failed is 1."""
    if isinstance(error, ScenarioError | ConfigurationError):
        return EXIT_BAD_INPUT
    if isinstance(error, LockHeldError):
        return EXIT_FAILURE
    return EXIT_FAILURE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provision")
def cli() -> None:
    """Declarative Azure managed-identity setups: validate, plan, apply, verify, destroy."""


def _register_commands() -> None:
    # Each command module adds its commands to `cli`; importing them registers them.
    from provisioner.cli import (
        commands_cloud,  # noqa: F401
        commands_deploy,  # noqa: F401
        commands_scenario,  # noqa: F401
    )


def main(argv: list[str] | None = None) -> None:
    _register_commands()
    try:
        result = cli.main(args=argv, prog_name="provision", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_FAILURE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT if exc.exit_code == 2 else exc.exit_code)
    except ProvisionError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exit_code_for(exc))
    # Commands report a non-zero outcome by returning an int (or via ctx.exit, which click returns).
    sys.exit(result if isinstance(result, int) else EXIT_OK)
