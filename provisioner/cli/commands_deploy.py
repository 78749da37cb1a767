"""`provision plan`, `apply`, `destroy`, `output` and `show`: thin wiring of scenario, target, state,
planner and engine. Bad input fails before any cloud call; exit codes come from provisioner.cli.main.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from provisioner.azure.target import Target
from provisioner.cli.exits import EXIT_FAILURE, EXIT_OK
from provisioner.cli.fleet_options import check_one_input, fleet_options
from provisioner.cli.fleet_read import fleet_output, fleet_show
from provisioner.cli.fleet_run import fleet_apply, fleet_destroy, fleet_plan
from provisioner.cli.options import (
    FILE,
    RunInputs,
    check_state_target,
    confirm,
    lock_options,
    open_state_backend,
    run_inputs,
    run_options,
    state_deployment_option,
    state_dir_option,
    state_option,
    target_info,
    value_text,
)
from provisioner.cli.progress_view import progress_view
from provisioner.cli.targets import target_options
from provisioner.engine.apply import RunOptions, apply_plan
from provisioner.engine.destroy import destroy, plan_destroy
from provisioner.engine.report import RunReport
from provisioner.errors import ProvisionError, StateError
from provisioner.execution.retry import DEFAULT_PRINCIPAL_WAIT, RetryPolicy
from provisioner.plan.context import RunContext
from provisioner.plan.model import Plan
from provisioner.plan.planner import PlannedRun, make_plan
from provisioner.plan.render import render_json, render_text
from provisioner.plan.saved import PlanInputs, check_fresh, is_saved_plan, load_plan, save_plan
from provisioner.providers import PROVIDERS
from provisioner.scenario import Scenario
from provisioner.state import DeploymentState, StateWriter, check_deployment_name
from provisioner.state.backend import state_location

EXIT_CHANGES = 2
TARGET_LABELS = {"name": "target", "tenant_id": "tenant id", "subscription_id": "subscription id"}
STYLES = {"+": "green", "~": "yellow", "-/+": "magenta", "-": "red", "<=": "cyan"}


def _make_plan(
    inputs: RunInputs, scenario: Scenario, state: DeploymentState, target: Target, ctx: RunContext, parallelism: int,
    *, announced: bool = False,
) -> PlannedRun:  # fmt: skip
    """A plan that stops (a missing `existing` resource) still prints the target line first, as every plan does."""
    try:
        check_state_target(state, target)
        return make_plan(
            scenario, state, ctx, PROVIDERS, target=target_info(inputs.target, target), parallelism=parallelism
        )
    except ProvisionError:
        if not announced:
            click.echo(target.description)
        raise


def echo_plan(plan: Plan) -> None:
    for line in render_text(plan).splitlines():
        symbol = line.split(" ", 1)[0] if line[:3].strip() else line.strip().split(" ", 1)[0]
        click.echo(click.style(line, fg=STYLES.get(symbol)) if symbol in STYLES else line)


@click.command("plan")
@click.argument("scenario", type=FILE, required=False)
@run_options
@fleet_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--out", type=FILE, help="Save the plan, for `provision apply FILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 without changes, 2 with changes, 1 on error.")
def plan_command(
    scenario: Path | None, as_json: bool, out: Path | None, detailed_exitcode: bool, parallelism: int, **options: Any
) -> int:
    """Show what apply would change: read every resource, diff it against the scenario (or every member's)."""
    check_one_input(scenario, options)
    if options["fleet"] is not None:
        if out is not None:
            raise click.UsageError("--out cannot be used with --fleet")
        return fleet_plan(
            options["fleet"], options["members"], as_json=as_json, detailed_exitcode=detailed_exitcode,
            parallelism=parallelism, options=options,
        )  # fmt: skip
    assert scenario is not None
    inputs = run_inputs(scenario, options)
    loaded, deployment = inputs.load()
    with inputs.session() as session:
        state = session.state().load_or_new(deployment)
        with session.connect() as (target, ctx):
            if as_json:
                click.echo(target.description, err=True)
            run = _make_plan(inputs, loaded, state, target, ctx, parallelism, announced=as_json)
    if as_json:
        click.echo(render_json(run.plan))
    else:
        echo_plan(run.plan)
    if out is not None:
        save_plan(out, run.plan, inputs.plan_inputs(deployment))
        click.echo(f"Saved the plan to {out}; apply it with: provision apply {out}", err=as_json)
    return EXIT_CHANGES if detailed_exitcode and run.plan.has_changes else EXIT_OK


@click.command("apply")
@click.argument("scenario", metavar="SCENARIO|PLANFILE", type=FILE, required=False)
@run_options
@lock_options
@fleet_options
@click.option("--json", "as_json", is_flag=True, help="With --fleet: print each member's result as JSON.")
@click.option(
    "--principal-wait", type=click.FloatRange(min=0), default=DEFAULT_PRINCIPAL_WAIT, show_default=True,
    help="Seconds to wait for a new identity's principal to replicate (PrincipalNotFound).",
)  # fmt: skip
def apply_command(
    scenario: Path | None,
    parallelism: int,
    auto_approve: bool,
    lock_timeout: float,
    principal_wait: float,
    as_json: bool,
    **options: Any,
) -> int:
    """Make the cloud match the scenario (or a saved plan, or every member of a fleet), then print the outputs."""
    check_one_input(scenario, options)
    if options["fleet"] is not None:
        return fleet_apply(
            options["fleet"], options["members"], parallelism=parallelism, auto_approve=auto_approve,
            lock_timeout=lock_timeout, principal_wait=principal_wait, as_json=as_json, options=options,
        )  # fmt: skip
    if as_json:
        raise click.UsageError("--json needs --fleet")
    assert scenario is not None
    saved: Plan | None = None
    inputs = run_inputs(scenario, options)
    if is_saved_plan(scenario):
        saved, recorded = load_plan(scenario)
        inputs = _saved_inputs(recorded, inputs)
    loaded, deployment = inputs.load()
    run_options = RunOptions(parallelism, RetryPolicy(principal_wait=principal_wait))
    with inputs.session() as session:
        store = session.state()
        with store.lock(deployment, command="apply", timeout=lock_timeout) as lock:
            if lock.took_over is not None:
                click.echo(f"Took over a stale lock of {lock.took_over.describe()} (no longer running).", err=True)
            state = store.load_or_new(deployment)
            with session.connect() as (target, ctx):
                run = _make_plan(inputs, loaded, state, target, ctx, parallelism)
                if saved is not None:
                    check_fresh(saved, run.plan)
                echo_plan(run.plan)
                if run.plan.has_changes and saved is None:
                    confirm(auto_approve, "apply")
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
        state=given.state,
    )


def _finish(report: RunReport, verb: str) -> int:
    for line in report.summary_lines(verb):
        click.echo(line, err=not report.ok)
    if report.outputs:
        click.echo("")
        click.echo("Outputs:")
        for name, value in report.outputs.items():
            click.echo(f"  {name} = {value_text(value)}")
    return EXIT_OK if report.ok else EXIT_FAILURE


@click.command("destroy")
@click.argument("scenario", type=FILE, required=False)
@run_options
@lock_options
@fleet_options
@click.option("--json", "as_json", is_flag=True, help="With --fleet: print each member's result as JSON.")
def destroy_command(
    scenario: Path | None, parallelism: int, auto_approve: bool, lock_timeout: float, as_json: bool, **options: Any
) -> int:
    """Delete what this deployment (or every member of a fleet) created, in reverse dependency order, and
    restore what it changed."""
    check_one_input(scenario, options)
    if options["fleet"] is not None:
        return fleet_destroy(
            options["fleet"], options["members"], parallelism=parallelism, auto_approve=auto_approve,
            lock_timeout=lock_timeout, as_json=as_json, options=options,
        )  # fmt: skip
    if as_json:
        raise click.UsageError("--json needs --fleet")
    assert scenario is not None
    inputs = run_inputs(scenario, options)
    loaded, deployment = inputs.load()
    with inputs.session() as session:
        store = session.state()
        with store.lock(deployment, command="destroy", timeout=lock_timeout):
            state = store.load(deployment)
            if state is None or not state.resources:
                click.echo(f"Nothing to destroy: deployment '{deployment}' has no resources in {store.describe()}.")
                return EXIT_OK
            with session.connect() as (target, ctx):
                check_state_target(state, target)
                plan = plan_destroy(state, target_info(inputs.target, target))
                echo_plan(plan)
                confirm(auto_approve, "destroy")
                with progress_view() as progress:
                    report = destroy(
                        plan, ctx, PROVIDERS, StateWriter(store, state), scenario=loaded, progress=progress,
                        options=RunOptions(parallelism),
                    )  # fmt: skip
    return _finish(report, "Destroy")


def _read_state(state_dir: Path, deployment: str | None, options: dict[str, Any]) -> DeploymentState:
    location = state_location(options["state"], state_dir)
    where = (options["target"], options["subscription"], options["cloud"], options["data_dir"])
    with open_state_backend(location, *where) as store:
        if deployment is None:
            known = store.deployments()
            if len(known) != 1:
                listing = ", ".join(known) if known else "none"
                raise StateError(f"name a deployment with --deployment (deployments in {store.describe()}: {listing})")
            deployment = known[0]
        state = store.load(check_deployment_name(deployment))
        if state is None:
            raise StateError(f"no state for deployment '{deployment}' in {store.describe()}")
    return state


@click.command("output")
@click.argument("name", required=False)
@state_deployment_option
@state_dir_option
@state_option
@target_options
@fleet_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def output_command(name: str | None, deployment: str | None, state_dir: Path, as_json: bool, **options: Any) -> int:
    """Print the outputs of the last apply (one NAME: its bare value), or of every member of a --fleet."""
    if options["fleet"] is not None:
        _no_deployment_with_fleet(deployment)
        return fleet_output(options["fleet"], name, as_json=as_json, options={**options, "state_dir": state_dir})
    outputs = _read_state(state_dir, deployment, options).outputs
    if name is not None:
        if name not in outputs:
            raise StateError(f"no output named '{name}' (outputs: {', '.join(outputs) or 'none'})")
        value = outputs[name]
        click.echo(json.dumps(value) if as_json else value_text(value, bare=True))
    elif as_json:
        click.echo(json.dumps(outputs, indent=2))
    else:
        for key, value in outputs.items():
            click.echo(f"{key} = {value_text(value)}")
    return EXIT_OK


@click.command("show")
@state_deployment_option
@state_dir_option
@state_option
@target_options
@fleet_options
@click.option("--json", "as_json", is_flag=True, help="Print the state document.")
def show_command(deployment: str | None, state_dir: Path, as_json: bool, **options: Any) -> int:
    """Show what the state knows: each resource, its Azure id, who created it, its exports (or every
    member's, with --fleet)."""
    if options["fleet"] is not None:
        _no_deployment_with_fleet(deployment)
        return fleet_show(options["fleet"], as_json=as_json, options={**options, "state_dir": state_dir})
    state = _read_state(state_dir, deployment, options)
    if as_json:
        click.echo(json.dumps(state.to_json(), indent=2))
        return EXIT_OK
    click.echo(f"deployment: {state.deployment} (scenario {state.scenario}), serial {state.serial}, {state.updated}")
    for key, label in TARGET_LABELS.items():
        if key in state.target:
            click.echo(f"  {label}: {state.target[key]}")
    for address, entry in sorted(state.resources.items()):
        owner = "created by provision" if entry.created_by_us else "not created by provision"
        status = "" if entry.status == "ready" else f", {entry.status}"
        click.echo(f"\n{address} ({entry.kind}, {owner}{status})")
        click.echo(f"  id: {entry.azure_id or '(unknown)'}")
        for key, value in sorted(entry.exports.items()):
            click.echo(f"  {key} = {value_text(value)}")
        for key, value in sorted(entry.prior.items()):
            click.echo(f"  prior {key} = {value_text(value)} (restored by destroy)")
    return EXIT_OK


def _no_deployment_with_fleet(deployment: str | None) -> None:
    if deployment is not None:
        raise click.UsageError("--deployment cannot be used with --fleet: the fleet file names each member's")


COMMANDS = (plan_command, apply_command, destroy_command, output_command, show_command)
