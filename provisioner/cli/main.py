"""`provision` entry point: the click group, and the mapping of errors to exit codes."""

from __future__ import annotations

import importlib
import sys

import click

from provisioner import __version__
from provisioner.cli.exits import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, exit_code_for
from provisioner.errors import ProvisionError

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
    "state": "commands_state",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or when help lists them all)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            _add_commands(self, module)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_commands()
        return super().list_commands(ctx)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provision")
def cli() -> None:
    """Declarative Azure managed-identity setups: validate, plan, apply, verify, destroy."""


def _add_commands(group: click.Group, module: str) -> None:
    """Add the commands a module defines (its `COMMANDS`) to the group."""
    for command in importlib.import_module(f"provisioner.cli.{module}").COMMANDS:
        if command.name not in group.commands:
            group.add_command(command)


def _register_commands() -> None:
    """Load every command (for the full help, and for processes that import everything up front)."""
    for module in sorted(set(COMMAND_MODULES.values())):
        _add_commands(cli, module)


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
