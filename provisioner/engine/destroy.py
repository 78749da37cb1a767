"""Destroy: tear down what the state says provision created, in reverse dependency order.

Only resources created by provision are deleted; values provision changed on resources it did not
create are restored; everything else is forgotten and reported as left in place. Deleting what is
already gone is success, so destroy is idempotent; once the state is empty its file is removed.
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Mapping
from typing import Any

from provisioner.engine.apply import RunOptions, StepEnvironment
from provisioner.engine.report import NoProgress, Progress, RunReport, StepTracker
from provisioner.engine.steps import Steps, StepSettings
from provisioner.execution.executor import GraphRun, Prepared
from provisioner.kinds import KINDS
from provisioner.plan.context import RunContext
from provisioner.plan.describe import teardown
from provisioner.plan.desired import Exports, build_desired, deployment_tags, resolved_secrets
from provisioner.plan.model import Action, Change, Plan
from provisioner.providers.base import Observed, Provider
from provisioner.scenario import Scenario
from provisioner.state.model import DeploymentState, ResourceState
from provisioner.state.store import StateWriter


def destroy_graph(state: DeploymentState) -> dict[str, set[str]]:
    """Each resource after everything that depends on it."""
    graph: dict[str, set[str]] = {address: set() for address in state.resources}
    for address, entry in state.resources.items():
        for dependency in entry.depends_on:
            if dependency in graph and dependency != address:
                graph[dependency].add(address)
    return graph


def plan_destroy(state: DeploymentState, target: Mapping[str, str]) -> Plan:
    """The destroy plan: pure, from the state alone, in the order teardown runs."""
    order = _teardown_order(state)
    return Plan(
        changes=tuple(teardown(state.resources[address]) for address in order),
        scenario_name=state.scenario or "",
        scenario_hash="",
        deployment=state.deployment,
        target=dict(target),
        observed_fingerprint="",
    )


def destroy(
    plan: Plan,
    ctx: RunContext,
    providers: Mapping[str, Provider[Any]],
    writer: StateWriter,
    *,
    scenario: Scenario | None = None,
    progress: Progress | None = None,
    options: RunOptions | None = None,
) -> RunReport:
    env = StepEnvironment(ctx, providers, progress or NoProgress(), options or RunOptions())
    return prepare_destroy(plan, writer, env, scenario).run(env.options.parallelism)


def prepare_destroy(
    plan: Plan, writer: StateWriter, env: StepEnvironment, scenario: Scenario | None = None
) -> Prepared[RunReport]:
    """The teardown steps of the plan, their graph and what finishes the run (an empty state removed).
    `scenario` finds what an interrupted create left without an id."""
    ctx, providers, progress, options = env.ctx, env.providers, env.progress, env.options
    state = writer.state
    steps = Steps(
        ctx,
        providers,
        writer,
        progress,
        StepSettings(deployment_tags(state.scenario or "", state.deployment), options.policy),
        exports={address: entry.exports for address, entry in state.resources.items()},
        kinds={address: entry.kind for address, entry in state.resources.items()},
        depends_on={address: entry.depends_on for address, entry in state.resources.items()},
    )
    report = RunReport()
    entries = dict(state.resources)
    tracked = StepTracker(report, progress)

    def step(address: str) -> None:
        change = plan.change_for(address)
        if change is None:  # not in the plan shown: leave it for the next destroy
            return
        tracked.run_one(address, change.action, lambda: _teardown(steps, change, entries[address], scenario, ctx))

    def finish(outcome: GraphRun) -> RunReport:
        report.not_started, report.interrupted = outcome.not_started, outcome.interrupted
        report.leftovers = _leftovers(plan, entries, scenario) + steps.left_behind  # what deletes had to leave
        if not writer.state.resources:
            writer.store.delete(state.deployment)
        return report

    return Prepared(destroy_graph(state), step, finish, lambda address: KINDS[entries[address].kind].step_cost)


def _leftovers(plan: Plan, entries: Mapping[str, ResourceState], scenario: Scenario | None) -> list[str]:
    return [
        f"{c.address} ({c.kind}): not created by provision, left in place"
        for c in plan.changes
        if c.action is Action.NO_OP
    ] + [
        f"{entry.address} ({entry.kind}): its creation was interrupted and it is no longer in the scenario, "
        "so provision cannot look it up; check for it by hand"
        for entry in entries.values()
        if entry.created_by_us
        and entry.azure_id is None
        and (scenario is None or entry.address not in scenario.resources)
    ]


def _teardown(steps: Steps, change: Change, entry: ResourceState, scenario: Scenario | None, ctx: RunContext) -> str:
    if change.action is Action.DELETE:
        return steps.delete(entry, _finder(steps, entry, scenario, ctx))
    if change.action is Action.UPDATE:
        return steps.restore(entry)
    steps.forget(entry.address)
    return "left in place"


def _finder(
    steps: Steps, entry: ResourceState, scenario: Scenario | None, ctx: RunContext
) -> Callable[[], Observed | None] | None:
    """How to find a resource whose create was interrupted before its id was recorded."""
    if entry.azure_id is not None or scenario is None or entry.address not in scenario.resources:
        return None
    resource = scenario.resources[entry.address]
    provider = steps.providers[entry.kind]
    desired = build_desired(
        resource,
        Exports(steps.exports()).lookup,
        tags=steps.settings.tags,
        secret_values=resolved_secrets(resource, generate=False),
    )
    return lambda: provider.read(ctx, desired)


def _teardown_order(state: DeploymentState) -> list[str]:
    return list(graphlib.TopologicalSorter(destroy_graph(state)).static_order())
