"""Options and inputs the commands that run a scenario share (plan, apply, destroy, verify, output, show)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from provisioner.azure.clients import Clients
from provisioner.azure.target import Target
from provisioner.cli.scenario_options import SCENARIO_FILE, scenario_options
from provisioner.cli.targets import open_target, target_options
from provisioner.engine.warmup import warm_up
from provisioner.errors import ApplyError, ConfigurationError, StateError
from provisioner.execution.executor import DEFAULT_PARALLELISM
from provisioner.execution.pacing import LIMITS, PACE_VARIABLE, configure_process_pacer, parse_pace
from provisioner.plan.context import RunContext
from provisioner.plan.saved import PlanInputs
from provisioner.scenario import Scenario, load_scenario
from provisioner.state import DEFAULT_STATE_DIR, DeploymentState, StateStore, check_deployment_name
from provisioner.state.backend import STATE_VARIABLE, StateBackend, is_blob_location, state_location
from provisioner.state.select import open_backend

F = TypeVar("F", bound=Callable[..., Any])
FILE = SCENARIO_FILE


@dataclass(frozen=True)
class RunInputs:
    """Everything that says what a command runs against."""

    scenario_path: Path
    overrides: dict[str, str]
    vars_file: Path | None
    allow_outside_files: bool
    deployment: str | None
    target: str
    subscription: str | None
    cloud: str
    data_dir: Path | None
    state_dir: Path
    state: str | None = None  # --state: a directory or azblob://account/container[/prefix]

    @property
    def state_location(self) -> str:
        return state_location(self.state, self.state_dir)

    def load(self) -> tuple[Scenario, str]:
        scenario = load_scenario(
            self.scenario_path,
            overrides=self.overrides,
            vars_file=self.vars_file,
            allow_outside_files=self.allow_outside_files,
        )
        warm_up(resource.kind for resource in scenario.resources.values())
        return scenario, check_deployment_name(self.deployment or scenario.name)

    def plan_inputs(self, deployment: str) -> PlanInputs:
        return PlanInputs(
            scenario_path=str(self.scenario_path.resolve()),
            deployment=deployment,
            target=self.target,
            overrides=self.overrides,
            vars_file=str(self.vars_file.resolve()) if self.vars_file else None,
            subscription=self.subscription,
            cloud=self.cloud,
        )

    @contextmanager
    def session(self) -> Iterator[RunSession]:
        """One command's target, opened when first needed and shared by the state backend and the run."""
        with ExitStack() as stack:
            yield RunSession(self, stack)


@dataclass
class RunSession:
    inputs: RunInputs
    _stack: ExitStack
    _target: Target | None = None

    def target(self) -> Target:
        if self._target is None:
            inputs = self.inputs
            self._target = self._stack.enter_context(
                open_target(
                    inputs.target, subscription=inputs.subscription, cloud=inputs.cloud, data_dir=inputs.data_dir
                )
            )
        return self._target

    def state(self) -> StateBackend:
        """The state backend; a blob one signs in with this session's target (a directory needs none)."""
        location = self.inputs.state_location
        if not is_blob_location(location):
            return StateStore(Path(location))
        return open_backend(location, self.target())

    @contextmanager
    def connect(self) -> Iterator[tuple[Target, RunContext]]:
        target = self.target()
        with Clients(target) as clients:
            yield target, RunContext(clients)


@contextmanager
def open_state_backend(
    location: str, target: str, subscription: str | None, cloud: str, data_dir: Path | None
) -> Iterator[StateBackend]:
    """The state backend at `location`; a blob one signs in the way the target does."""
    if not is_blob_location(location):
        yield StateStore(Path(location))
        return
    with open_target(target, subscription=subscription, cloud=cloud, data_dir=data_dir) as signed_in:
        yield open_backend(location, signed_in)


def state_option(command: F) -> F:
    return click.option(
        "--state", "state", metavar="LOCATION",
        help=f"Where state lives: a directory or azblob://ACCOUNT/CONTAINER[/PREFIX] (default: ${STATE_VARIABLE}, "
        "else --state-dir).",
    )(command)  # fmt: skip


def state_dir_option(command: F) -> F:
    return click.option(
        "--state-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_STATE_DIR,
        show_default=True,
        help="Where deployment state documents are kept.",
    )(command)


def deployment_option(command: F) -> F:
    return click.option("--deployment", help="Deployment name (default: the scenario's name).")(command)


def state_deployment_option(command: F) -> F:  # `output` and `show` take no scenario
    return click.option(
        "--deployment", help="Deployment to read (default: the only deployment in --state-dir; an error if several)."
    )(command)


def run_options(command: F) -> F:
    options = [
        scenario_options,
        deployment_option,
        state_dir_option,
        state_option,
        click.option(
            "--parallelism", type=click.IntRange(1, 64), default=DEFAULT_PARALLELISM, show_default=True,
            help="Steps, plan reads or verify probes run at the same time.",
        ),
        pace_option,
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return target_options(command)


def pace_option(command: F) -> F:
    """`--pace` (repeatable; also PROVISION_PACE): configures the process's pacer before the command runs."""
    return click.option(
        "--pace", "pace", multiple=True, envvar=PACE_VARIABLE, expose_value=False, callback=_configure_pacing,
        metavar="off|NAME=RATE/s[,BURST]",
        help="Client-side pacing of ARM and Graph requests to Azure's limits (default: on, at Azure's published "
        f"limits): off, or e.g. arm-writes=10/s,200; names: {', '.join(LIMITS)} (also {PACE_VARIABLE}).",
    )(command)  # fmt: skip


def _configure_pacing(ctx: click.Context, param: click.Parameter, entries: tuple[str, ...]) -> None:
    try:
        configure_process_pacer(parse_pace(entries))
    except ConfigurationError as error:
        raise click.BadParameter(str(error), ctx, param) from error


def lock_options(command: F) -> F:
    command = click.option(
        "--lock-timeout", type=click.FloatRange(min=0), default=0.0, show_default=True,
        help="Seconds to wait for another apply or destroy of the deployment (0: fail at once).",
    )(command)  # fmt: skip
    return click.option(
        "--auto-approve", is_flag=True, help="Do not ask for confirmation (needed without a terminal)."
    )(command)


def run_inputs(scenario: Path, options: dict[str, Any]) -> RunInputs:
    return RunInputs(
        scenario_path=scenario,
        overrides=options["overrides"],
        vars_file=options["vars_file"],
        allow_outside_files=options["allow_outside_files"],
        deployment=options["deployment"],
        target=options["target"],
        subscription=options["subscription"],
        cloud=options["cloud"],
        data_dir=options["data_dir"],
        state_dir=options["state_dir"],
        state=options["state"],
    )


def target_info(name: str, target: Target) -> dict[str, str]:
    return {
        "name": name,
        "description": target.description,
        "tenant_id": target.tenant_id,
        "subscription_id": target.subscription_id,
    }


def check_state_target(state: DeploymentState, target: Target) -> None:
    recorded = state.target.get("subscription_id")
    if state.resources and recorded and recorded.lower() != target.subscription_id.lower():
        raise StateError(
            f"the state of deployment '{state.deployment}' belongs to subscription {recorded}, but this run "
            f"targets {target.subscription_id}; choose another --deployment or --state-dir"
        )


def confirm(auto_approve: bool, verb: str) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApplyError(f"refusing to {verb}: there is no terminal to ask for confirmation; pass --auto-approve")
    answer = click.prompt(f"Do you want to {verb}? Only 'yes' will be accepted", default="", show_default=False)
    if answer.strip() != "yes":
        raise ApplyError(f"{verb} cancelled")


def value_text(value: Any, bare: bool = False) -> str:
    if isinstance(value, str):
        return value if bare else json.dumps(value)
    return json.dumps(value)
