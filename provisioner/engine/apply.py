"""Apply: execute a PlannedRun as a dependency graph of idempotent steps, saving the state after each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from provisioner.engine.report import NoProgress, Progress, RunReport, StepTracker
from provisioner.engine.steps import Steps, StepSettings
from provisioner.errors import PlanError
from provisioner.execution.executor import DEFAULT_PARALLELISM, GraphRun, Prepared
from provisioner.execution.retry import RetryPolicy
from provisioner.kinds import KINDS
from provisioner.plan.context import RunContext
from provisioner.plan.desired import deployment_tags, resolve_known
from provisioner.plan.model import Action, Change
from provisioner.plan.planner import PlannedRun
from provisioner.plan.values import json_value
from provisioner.providers.base import Provider, is_known
from provisioner.scenario import Ref
from provisioner.state.model import ResourceState
from provisioner.state.store import StateWriter


@dataclass(frozen=True)
class RunOptions:
    parallelism: int = DEFAULT_PARALLELISM
    policy: RetryPolicy = field(default_factory=RetryPolicy)


def apply_plan(
    run: PlannedRun,
    ctx: RunContext,
    providers: Mapping[str, Provider[Any]],
    writer: StateWriter,
    *,
    progress: Progress | None = None,
    options: RunOptions | None = None,
) -> RunReport:
    """Run every step of the plan; returns the report (failures are in it, not raised)."""
    env = StepEnvironment(ctx, providers, progress or NoProgress(), options or RunOptions())
    return prepare_apply(run, writer, env).run(env.options.parallelism)


@dataclass(frozen=True)
class StepEnvironment:
    """What a deployment's steps run with: the clients, the providers, where progress goes, the options."""

    ctx: RunContext
    providers: Mapping[str, Provider[Any]]
    progress: Progress = field(default_factory=NoProgress)
    options: RunOptions = field(default_factory=RunOptions)


def prepare_apply(run: PlannedRun, writer: StateWriter, env: StepEnvironment) -> Prepared[RunReport]:
    """The steps of the plan, their graph and what finishes the run (outputs saved in the state)."""
    ctx, providers, progress, options = env.ctx, env.providers, env.progress, env.options
    scenario = run.scenario
    steps = Steps(
        ctx,
        providers,
        writer,
        progress,
        StepSettings(deployment_tags(scenario.name, writer.state.deployment), options.policy),
        exports={name: assessment.exports for name, assessment in run.assessments.items()},
        kinds={name: resource.kind for name, resource in scenario.resources.items()},
        depends_on={name: resource.depends_on for name, resource in scenario.resources.items()},
    )
    _stamp(writer, scenario.name, run.plan.target)
    report = RunReport()
    step = _tracked_step(run, StepTracker(report, progress), lambda change: _perform(run, steps, change))

    def finish(outcome: GraphRun) -> RunReport:
        report.not_started = outcome.not_started
        report.interrupted = outcome.interrupted
        report.leftovers = steps.left_behind
        report.outputs = _outputs(scenario.outputs, steps.lookup)
        with writer.edit() as state:
            state.outputs = report.outputs
        return report

    return Prepared(apply_graph(run), step, finish, lambda address: _cost(run, address))


def _cost(run: PlannedRun, address: str) -> float:
    """A write costs what its kind's create does; a step that only records what is there, next to nothing."""
    change = run.plan.change_for(address)
    if change is None or not change.action.writes:
        return 0.1
    return KINDS[change.kind].step_cost


def apply_graph(run: PlannedRun) -> dict[str, set[str]]:
    """Scenario resources after their dependencies; removed resources before what they depended on."""
    graph: dict[str, set[str]] = {name: set(r.depends_on) for name, r in run.scenario.resources.items()}
    removed = {c.address for c in run.plan.changes if c.address not in run.scenario.resources}
    for address in removed:
        graph[address] = {
            other for other in removed if address in run.state.resources[other].depends_on and other != address
        }
    return graph


def _perform(run: PlannedRun, steps: Steps, change: Change) -> str:
    resource = run.scenario.resources.get(change.address)
    if resource is None:
        return _perform_removal(steps, change, run.state.resources[change.address])
    observed = run.assessments[change.address].observed
    if change.action is Action.CREATE:
        steps.create(resource)
        return "created"
    if observed is None:
        raise PlanError(f"plan for '{change.address}' has no observed resource to {change.action.value}")
    if change.action is Action.REPLACE:
        steps.create(resource, replacing=observed)
        return "replaced"
    if change.action is Action.UPDATE:
        return "updated " + steps.update(resource, observed)
    steps.keep(resource, observed)
    return change.reason


def _perform_removal(steps: Steps, change: Change, entry: ResourceState) -> str:
    if change.action is Action.DELETE:
        return steps.delete(entry)
    if change.action is Action.UPDATE:
        return steps.restore(entry)
    steps.forget(entry.address)
    return "forgotten"


def _tracked_step(run: PlannedRun, tracker: StepTracker, perform: Callable[[Change], str]) -> Callable[[str], None]:
    def step(address: str) -> None:
        change = run.plan.change_for(address)
        if change is None:
            raise PlanError(f"no planned change for '{address}'")
        tracker.run_one(address, change.action, lambda: perform(change))

    return step


def _stamp(writer: StateWriter, scenario_name: str, target: Mapping[str, str]) -> None:
    identity = {key: target[key] for key in ("name", "tenant_id", "subscription_id") if key in target}
    if writer.state.scenario != scenario_name or writer.state.target != identity:
        with writer.edit() as state:
            state.scenario, state.target = scenario_name, identity


def _outputs(outputs: Mapping[str, Any], lookup: Callable[[Ref], Any]) -> dict[str, Any]:
    values = resolve_known(dict(outputs), lookup)
    return {name: json_value(value) for name, value in values.items() if is_known(value)}
