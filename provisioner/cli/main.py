"""`provision` entry point: the click group, and the mapping of errors to exit codes."""

from __future__ import annotations

import importlib
import sys

import click

from provisioner import __version__
from provisioner.errors import (
    ConfigurationError,
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
    return EXIT_FAILURE


# The module that defines each command: `provision validate` need not import the Azure SDKs.
COMMAND_MODULES = {
    "validate": "commands_scenario",
    "schema": "commands_scenario",
    "graph": "commands_scenario",
    "plan": "commands_deploy",
    "apply": "commands_deploy",
    "destroy": "commands_deploy",
    "output": "commands_deploy",
    "show": "commands_deploy",
    "cloud": "commands_cloud",
    "verify": "commands_verify",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or when help lists them all)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is None:
            _register_commands()
        else:
            importlib.import_module(f"provisioner.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_commands()
        return super().list_commands(ctx)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provision")
def cli() -> None:
    """Declarative Azure managed-identity setups: validate, plan, apply, verify, destroy."""


def _register_commands() -> None:
    # Each command module adds its commands to `cli`; importing them registers them.
    from provisioner.cli import (
        commands_cloud,  # noqa: F401
        commands_deploy,  # noqa: F401
        commands_scenario,  # noqa: F401
        commands_verify,  # noqa: F401
    )


def main(argv: list[str] | None = None) -> None:
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
