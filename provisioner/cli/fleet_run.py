"""`provision plan|apply|destroy --fleet FILE`: one process, one target session, one dependency graph
holding every member's steps. A member's failure stops only that member's later steps; the summary
names it with Azure's error; each member's state is its own (written after every step)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from provisioner.cli.exits import EXIT_FAILURE, EXIT_OK
from provisioner.cli.fleet_inputs import fleet_inputs, load_members
from provisioner.cli.fleet_progress import MemberProgress, fleet_progress_view
from provisioner.cli.fleet_report import MemberResult, failed_plan, print_results, results_json
from provisioner.cli.options import RunSession, check_state_target, confirm, target_info
from provisioner.engine.apply import RunOptions, StepEnvironment, prepare_apply
from provisioner.engine.destroy import plan_destroy, prepare_destroy
from provisioner.engine.report import RunReport
from provisioner.errors import ProvisionError
from provisioner.execution.executor import Prepared, run_groups
from provisioner.execution.retry import RetryPolicy
from provisioner.fleet.scenarios import Loaded
from provisioner.plan.context import RunContext
from provisioner.plan.model import Plan
from provisioner.plan.planner import PlannedRun, Planner, prepare_plan
from provisioner.plan.render import SYMBOLS, summary_line
from provisioner.providers import PROVIDERS
from provisioner.state import DeploymentState, StateWriter
from provisioner.state.backend import StateBackend

EXIT_CHANGES = 2


def fleet_plan(
    fleet_path: Path, names: tuple[str, ...] | None, *, as_json: bool, detailed_exitcode: bool, parallelism: int,
    options: dict[str, Any],
) -> int:  # fmt: skip
    """Every member's plan; with `detailed_exitcode`, 2 when any member drifted."""
    fleet, loaded = load_members(fleet_path, names, options["allow_outside_files"])
    inputs = fleet_inputs(fleet_path, options)
    with inputs.session() as session:
        store = session.state()
        states = {one.name: store.load_or_new(one.deployment) for one in loaded}
        with session.connect() as (target, ctx):
            click.echo(target.description, err=as_json)
            runs, errors = plan_members(loaded, states, session, ctx, parallelism)
    if as_json:
        document = {name: run.plan.to_json() for name, run in runs.items()}
        document |= {name: {"error": str(error)} for name, error in errors.items()}
        click.echo(json.dumps({"fleet": fleet.name, "members": document}, indent=2))
    else:
        echo_plans(loaded, runs, errors)
    if errors:
        return EXIT_FAILURE
    drifted = any(run.plan.has_changes for run in runs.values())
    return EXIT_CHANGES if detailed_exitcode and drifted else EXIT_OK


def plan_members(
    loaded: list[Loaded],
    states: Mapping[str, DeploymentState],
    session: RunSession,
    ctx: RunContext,
    parallelism: int,
) -> tuple[dict[str, PlannedRun], dict[str, ProvisionError]]:
    """Every member's plan, the reads of all of them in one graph; a member whose plan fails is in the errors."""
    target = session.target()
    info = target_info(session.inputs.target, target)
    prepared: dict[str, Prepared[PlannedRun]] = {}
    errors: dict[str, ProvisionError] = {}
    for one in loaded:
        try:
            check_state_target(states[one.name], target)
            planner = Planner(one.scenario, states[one.name], ctx, PROVIDERS, RetryPolicy())
            prepared[one.name] = prepare_plan(planner, info)
        except ProvisionError as error:
            errors[one.name] = error
    outcomes = run_groups(prepared, parallelism)
    runs: dict[str, PlannedRun] = {}
    for name, plan in prepared.items():
        try:
            runs[name] = plan.finish(outcomes[name])
        except ProvisionError as error:
            errors[name] = error
    return runs, errors


def echo_plans(loaded: list[Loaded], runs: Mapping[str, PlannedRun], errors: Mapping[str, ProvisionError]) -> None:
    for one in loaded:
        if one.name in errors:
            click.echo(f"{one.name} ({one.deployment}): cannot plan: {errors[one.name]}", err=True)
        else:
            echo_member_plan(one.name, runs[one.name].plan)


def echo_member_plan(name: str, plan: Plan, *, err: bool = False) -> None:
    click.echo(f"{name} ({plan.deployment}): {summary_line(plan)}", err=err)
    for change in plan.changes:
        if change.action.writes:
            click.echo(f"  {SYMBOLS[change.action]} {change.address} ({change.kind})", err=err)


def fleet_apply(
    fleet_path: Path, names: tuple[str, ...] | None, *, parallelism: int, auto_approve: bool, lock_timeout: float,
    principal_wait: float, as_json: bool, options: dict[str, Any],
) -> int:  # fmt: skip
    """Converge every member; exit 1 when any member failed (the others still converge)."""
    fleet, loaded = load_members(fleet_path, names, options["allow_outside_files"])
    run_options = RunOptions(parallelism, RetryPolicy(principal_wait=principal_wait))
    with fleet_inputs(fleet_path, options).session() as session:
        store = session.state()
        with _locks(store, loaded, "apply", lock_timeout):
            states = {one.name: store.load_or_new(one.deployment) for one in loaded}
            with session.connect() as (target, ctx):
                click.echo(target.description, err=as_json)
                runs, errors = plan_members(loaded, states, session, ctx, parallelism)
                for one in loaded:
                    if one.name in runs:
                        echo_member_plan(one.name, runs[one.name].plan, err=as_json)
                if any(run.plan.has_changes for run in runs.values()):
                    confirm(auto_approve, "apply")
                totals = {name: sum(c.action.writes for c in run.plan.changes) for name, run in runs.items()}
                with fleet_progress_view(totals, quiet=as_json) as view:
                    trackers = {name: MemberProgress(view, name) for name in runs}
                    prepared = {
                        name: prepare_apply(
                            run,
                            StateWriter(store, run.state),
                            StepEnvironment(RunContext(ctx.clients), PROVIDERS, trackers[name], run_options),
                        )
                        for name, run in runs.items()
                    }
                    reports = _run(prepared, parallelism)
    results = _results(loaded, reports, trackers, errors)
    return _finish(fleet.name, results, "Apply", as_json)


def fleet_destroy(
    fleet_path: Path, names: tuple[str, ...] | None, *, parallelism: int, auto_approve: bool, lock_timeout: float,
    as_json: bool, options: dict[str, Any],
) -> int:  # fmt: skip
    """Tear down every member (each in reverse dependency order, only what it created); lists leftovers."""
    fleet, loaded = load_members(fleet_path, names, options["allow_outside_files"])
    with fleet_inputs(fleet_path, options).session() as session:
        store = session.state()
        with _locks(store, loaded, "destroy", lock_timeout):
            states = {one.name: state for one in loaded if (state := store.load(one.deployment)) and state.resources}
            if not states:
                click.echo(
                    f"Nothing to destroy: no member of fleet '{fleet.name}' has resources in {store.describe()}."
                )
                return EXIT_OK
            with session.connect() as (target, ctx):
                click.echo(target.description, err=as_json)
                plans: dict[str, Plan] = {}
                for name, state in states.items():
                    check_state_target(state, target)
                    plans[name] = plan_destroy(state, target_info(session.inputs.target, target))
                    echo_member_plan(name, plans[name], err=as_json)
                confirm(auto_approve, "destroy")
                scenarios = {one.name: one.scenario for one in loaded}
                totals = {name: len(plan.changes) for name, plan in plans.items()}
                with fleet_progress_view(totals, quiet=as_json) as view:
                    trackers = {name: MemberProgress(view, name) for name in plans}
                    prepared = {
                        name: prepare_destroy(
                            plan,
                            StateWriter(store, states[name]),
                            StepEnvironment(ctx, PROVIDERS, trackers[name], RunOptions(parallelism)),
                            scenarios[name],
                        )
                        for name, plan in plans.items()
                    }
                    reports = _run(prepared, parallelism)
    results = _results([one for one in loaded if one.name in reports], reports, trackers, {})
    return _finish(fleet.name, results, "Destroy", as_json)


@contextmanager
def _locks(store: StateBackend, loaded: list[Loaded], command: str, timeout: float) -> Iterator[None]:
    """Every member's deployment lock, taken in the file's order (the same order in every process)."""
    with ExitStack() as stack:
        for one in loaded:
            lock = stack.enter_context(store.lock(one.deployment, command=command, timeout=timeout))
            took_over = getattr(lock, "took_over", None)
            if took_over is not None:
                click.echo(
                    f"{one.name}: took over a stale lock of {took_over.describe()} (no longer running).", err=True
                )
        yield


def _run(prepared: Mapping[str, Prepared[RunReport]], parallelism: int) -> dict[str, RunReport]:
    outcomes = run_groups(prepared, parallelism)
    return {name: one.finish(outcomes[name]) for name, one in prepared.items()}


def _results(
    loaded: list[Loaded],
    reports: Mapping[str, RunReport],
    trackers: Mapping[str, MemberProgress],
    errors: Mapping[str, ProvisionError],
) -> list[MemberResult]:
    results = []
    for one in loaded:
        if one.name in errors:
            results.append(failed_plan(one.name, one.deployment, errors[one.name]))
        elif one.name in reports:
            tracker = trackers[one.name]
            results.append(
                MemberResult(one.name, one.deployment, reports[one.name], tracker.wall_seconds, tracker.seconds)
            )
    return results


def _finish(fleet: str, results: list[MemberResult], verb: str, as_json: bool) -> int:
    if as_json:
        click.echo(json.dumps(results_json(fleet, results), indent=2))
    else:
        print_results(results, verb)
    return EXIT_OK if all(result.ok for result in results) else EXIT_FAILURE
