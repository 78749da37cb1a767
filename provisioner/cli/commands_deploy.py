"""`provision plan`, `apply`, `destroy`, `output` and `show`: thin wiring of scenario, target, state,
planner and engine. Bad input fails before any cloud call; exit codes come from provisioner.cli.main.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from provisioner.cli.commands_scenario import SCENARIO_FILE, scenario_options
from provisioner.cli.main import EXIT_FAILURE, EXIT_OK, cli
from provisioner.cli.progress_view import progress_view
from provisioner.cli.targets import open_target, target_options
from provisioner.cloud.clients import Clients
from provisioner.cloud.target import Target
from provisioner.engine.apply import RunOptions, apply_plan
from provisioner.engine.destroy import destroy, plan_destroy
from provisioner.engine.executor import DEFAULT_PARALLELISM
from provisioner.engine.report import RunReport
from provisioner.engine.retry import DEFAULT_PRINCIPAL_WAIT, RetryPolicy
from provisioner.engine.warmup import warm_up
from provisioner.errors import ApplyError, StateError
from provisioner.plan.context import RunContext
from provisioner.plan.model import Plan
from provisioner.plan.planner import PlannedRun, make_plan
from provisioner.plan.render import render_json, render_text
from provisioner.plan.saved import PlanInputs, check_fresh, is_saved_plan, load_plan, save_plan
from provisioner.providers import PROVIDERS
from provisioner.scenario import Scenario, load_scenario
from provisioner.state import DEFAULT_STATE_DIR, DeploymentState, StateStore, StateWriter, check_deployment_name

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(path_type=Path, dir_okay=False)
EXIT_CHANGES = 2
STYLES = {"+": "green", "~": "yellow", "-/+": "magenta", "-": "red", "<=": "cyan"}


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
    def connect(self) -> Iterator[tuple[Target, RunContext]]:
        with (
            open_target(
                self.target, subscription=self.subscription, cloud=self.cloud, data_dir=self.data_dir
            ) as target,
            Clients(target) as clients,
        ):
            yield target, RunContext(clients)


def _state_dir_option(command: F) -> F:
    return click.option(
        "--state-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_STATE_DIR,
        show_default=True,
        help="Where deployment state documents are kept.",
    )(command)


def _deployment_option(command: F) -> F:
    return click.option("--deployment", help="Deployment name (default: the scenario's name).")(command)


def _run_options(command: F) -> F:
    options = [
        scenario_options,
        _deployment_option,
        _state_dir_option,
        click.option(
            "--parallelism", type=click.IntRange(1, 64), default=DEFAULT_PARALLELISM, show_default=True,
            help="Steps (and reads) run at the same time.",
        ),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return target_options(command)


def _lock_options(command: F) -> F:
    command = click.option(
        "--lock-timeout", type=click.FloatRange(min=0), default=0.0, show_default=True,
        help="Seconds to wait for another apply or destroy of the deployment (0: fail at once).",
    )(command)  # fmt: skip
    return click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")(command)


def _inputs(scenario: Path, options: dict[str, Any]) -> RunInputs:
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
    )


def _target_info(name: str, target: Target) -> dict[str, str]:
    return {
        "name": name,
        "description": target.description,
        "tenant_id": target.tenant_id,
        "subscription_id": target.subscription_id,
    }


def _check_state_target(state: DeploymentState, target: Target) -> None:
    recorded = state.target.get("subscription_id")
    if state.resources and recorded and recorded.lower() != target.subscription_id.lower():
        raise StateError(
            f"the state of deployment '{state.deployment}' belongs to subscription {recorded}, but this run "
            f"targets {target.subscription_id}; choose another --deployment or --state-dir"
        )


def _make_plan(
    inputs: RunInputs, scenario: Scenario, state: DeploymentState, target: Target, ctx: RunContext, parallelism: int
) -> PlannedRun:
    _check_state_target(state, target)
    return make_plan(
        scenario, state, ctx, PROVIDERS, target=_target_info(inputs.target, target), parallelism=parallelism
    )


def echo_plan(plan: Plan) -> None:
    for line in render_text(plan).splitlines():
        symbol = line.split(" ", 1)[0] if line[:3].strip() else line.strip().split(" ", 1)[0]
        click.echo(click.style(line, fg=STYLES.get(symbol)) if symbol in STYLES else line)


@cli.command("plan")
@click.argument("scenario", type=SCENARIO_FILE)
@_run_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--out", type=FILE, help="Save the plan, for `provision apply FILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 without changes, 2 with changes, 1 on error.")
def plan_command(
    scenario: Path, as_json: bool, out: Path | None, detailed_exitcode: bool, parallelism: int, **options: Any
) -> int:
    """Show what apply would change: read every resource, diff it against the scenario."""
    inputs = _inputs(scenario, options)
    loaded, deployment = inputs.load()
    state = StateStore(inputs.state_dir).load_or_new(deployment)
    with inputs.connect() as (target, ctx):
        if as_json:
            click.echo(target.description, err=True)
        run = _make_plan(inputs, loaded, state, target, ctx, parallelism)
    if as_json:
        click.echo(render_json(run.plan))
    else:
        echo_plan(run.plan)
    if out is not None:
        save_plan(out, run.plan, inputs.plan_inputs(deployment))
        click.echo(f"Saved the plan to {out}; apply it with: provision apply {out}", err=as_json)
    return EXIT_CHANGES if detailed_exitcode and run.plan.has_changes else EXIT_OK


@cli.command("apply")
@click.argument("scenario", metavar="SCENARIO|PLANFILE", type=SCENARIO_FILE)
@_run_options
@_lock_options
@click.option(
    "--principal-wait", type=click.FloatRange(min=0), default=DEFAULT_PRINCIPAL_WAIT, show_default=True,
    help="Seconds to wait for a new identity's principal to replicate (PrincipalNotFound).",
)  # fmt: skip
def apply_command(
    scenario: Path,
    parallelism: int,
    auto_approve: bool,
    lock_timeout: float,
    principal_wait: float,
    **options: Any,
) -> int:
    """Make the cloud match the scenario (or a saved plan), then print the outputs."""
    saved: Plan | None = None
    inputs = _inputs(scenario, options)
    if is_saved_plan(scenario):
        saved, recorded = load_plan(scenario)
        inputs = _saved_inputs(recorded, inputs)
    loaded, deployment = inputs.load()
    store = StateStore(inputs.state_dir)
    run_options = RunOptions(parallelism, RetryPolicy(principal_wait=principal_wait))
    with store.lock(deployment, command="apply", timeout=lock_timeout) as lock:
        if lock.took_over is not None:
            click.echo(f"Took over a stale lock of {lock.took_over.describe()} (no longer running).", err=True)
        state = store.load_or_new(deployment)
        with inputs.connect() as (target, ctx):
            run = _make_plan(inputs, loaded, state, target, ctx, parallelism)
            if saved is not None:
                check_fresh(saved, run.plan)
            echo_plan(run.plan)
            if run.plan.has_changes and saved is None:
                _confirm(auto_approve, "apply")
            with progress_view() as progress:
                report = apply_plan(
                    run, RunContext(ctx.clients), PROVIDERS, StateWriter(store, state), progress=progress,
                    options=run_options,
                )  # fmt: skip
    return _finish(report, "Apply")


def _saved_inputs(recorded: PlanInputs, given: RunInputs) -> RunInputs:
    return RunInputs(
        scenario_path=Path(recorded.scenario_path),
        overrides=dict(recorded.overrides),
        vars_file=Path(recorded.vars_file) if recorded.vars_file else None,
        allow_outside_files=given.allow_outside_files,
        deployment=recorded.deployment,
        target=recorded.target,
        subscription=recorded.subscription,
        cloud=recorded.cloud or given.cloud,
        data_dir=given.data_dir,
        state_dir=given.state_dir,
    )


def _confirm(auto_approve: bool, verb: str) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApplyError(f"refusing to {verb}: there is no terminal to ask for confirmation; pass --auto-approve")
    answer = click.prompt(f"Do you want to {verb}? Only 'yes' will be accepted", default="", show_default=False)
    if answer.strip() != "yes":
        raise ApplyError(f"{verb} cancelled")


def _finish(report: RunReport, verb: str) -> int:
    for line in report.summary_lines(verb):
        click.echo(line, err=not report.ok)
    if report.outputs:
        click.echo("")
        click.echo("Outputs:")
        for name, value in report.outputs.items():
            click.echo(f"  {name} = {_value_text(value)}")
    return EXIT_OK if report.ok else EXIT_FAILURE


@cli.command("destroy")
@click.argument("scenario", type=SCENARIO_FILE)
@_run_options
@_lock_options
def destroy_command(scenario: Path, parallelism: int, auto_approve: bool, lock_timeout: float, **options: Any) -> int:
    """Delete what this deployment created (reverse dependency order) and restore what it changed."""
    inputs = _inputs(scenario, options)
    loaded, deployment = inputs.load()
    store = StateStore(inputs.state_dir)
    with store.lock(deployment, command="destroy", timeout=lock_timeout):
        state = store.load(deployment)
        if state is None or not state.resources:
            click.echo(f"Nothing to destroy: deployment '{deployment}' has no resources in {store.directory}.")
            return EXIT_OK
        with inputs.connect() as (target, ctx):
            _check_state_target(state, target)
            plan = plan_destroy(state, _target_info(inputs.target, target))
            echo_plan(plan)
            _confirm(auto_approve, "destroy")
            with progress_view() as progress:
                report = destroy(
                    plan, ctx, PROVIDERS, StateWriter(store, state), scenario=loaded, progress=progress,
                    options=RunOptions(parallelism),
                )  # fmt: skip
    return _finish(report, "Destroy")


def _read_state(state_dir: Path, deployment: str | None) -> DeploymentState:
    store = StateStore(state_dir)
    if deployment is None:
        known = store.deployments()
        if len(known) != 1:
            listing = ", ".join(known) if known else "none"
            raise StateError(f"name a deployment with --deployment (deployments in {state_dir}: {listing})")
        deployment = known[0]
    state = store.load(check_deployment_name(deployment))
    if state is None:
        raise StateError(f"no state for deployment '{deployment}' in {state_dir}")
    return state


@cli.command("output")
@click.argument("name", required=False)
@_deployment_option
@_state_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def output_command(name: str | None, deployment: str | None, state_dir: Path, as_json: bool) -> int:
    """Print the outputs of the last apply (one NAME: its bare value)."""
    outputs = _read_state(state_dir, deployment).outputs
    if name is not None:
        if name not in outputs:
            raise StateError(f"no output named '{name}' (outputs: {', '.join(outputs) or 'none'})")
        value = outputs[name]
        click.echo(json.dumps(value) if as_json else _value_text(value, bare=True))
    elif as_json:
        click.echo(json.dumps(outputs, indent=2))
    else:
        for key, value in outputs.items():
            click.echo(f"{key} = {_value_text(value)}")
    return EXIT_OK


@cli.command("show")
@_deployment_option
@_state_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the state document.")
def show_command(deployment: str | None, state_dir: Path, as_json: bool) -> int:
    """Show what the state knows: each resource, its Azure id, who created it, its exports."""
    state = _read_state(state_dir, deployment)
    if as_json:
        click.echo(json.dumps(state.to_json(), indent=2))
        return EXIT_OK
    click.echo(f"deployment: {state.deployment} (scenario {state.scenario}), serial {state.serial}, {state.updated}")
    for key in ("name", "tenant_id", "subscription_id"):
        if key in state.target:
            click.echo(f"  {key.replace('_', ' ')}: {state.target[key]}")
    for address, entry in sorted(state.resources.items()):
        owner = "created by provision" if entry.created_by_us else "not created by provision"
        status = "" if entry.status == "ready" else f", {entry.status}"
        click.echo(f"\n{address} ({entry.kind}, {owner}{status})")
        click.echo(f"  id: {entry.azure_id or '(unknown)'}")
        for key, value in sorted(entry.exports.items()):
            click.echo(f"  {key} = {_value_text(value)}")
        for key, value in sorted(entry.prior.items()):
            click.echo(f"  prior {key} = {_value_text(value)} (restored by destroy)")
    return EXIT_OK


def _value_text(value: Any, bare: bool = False) -> str:
    if isinstance(value, str):
        return value if bare else json.dumps(value)
    return json.dumps(value)
