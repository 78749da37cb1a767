"""The planner: read every resource (in dependency order, in parallel where the graph allows), diff it
against the scenario, and produce a Plan. No side effects: only provider `read`s reach the cloud.

A resource whose lookup attributes depend on something this plan creates cannot exist yet: it is a
create without a read. Exports of resources that exist flow into the references of their
dependants; exports of resources still to be created are "(known after apply)" unless the scenario
itself sets them (a name).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from provisioner.errors import PlanError, ProvisionError
from provisioner.execution.executor import GraphRun, Prepared
from provisioner.execution.retry import RetryPolicy, call_with_retry
from provisioner.kinds import KINDS
from provisioner.plan import describe
from provisioner.plan.context import RunContext
from provisioner.plan.desired import (
    Exports,
    build_desired,
    deployment_tags,
    predicted_exports,
    resolved_secrets,
    with_target,
)
from provisioner.plan.fingerprint import fingerprint, observed_document
from provisioner.plan.model import Action, Change, Plan
from provisioner.providers.base import UNKNOWN, Desired, Observed, Provider, is_known
from provisioner.scenario import Resource, Scenario, references_in
from provisioner.state.model import DeploymentState


@dataclass(frozen=True)
class Assessment:
    """What the planner learned about one scenario resource; apply starts from it."""

    change: Change
    desired: Desired[Any]
    observed: Observed | None
    exports: Mapping[str, Any]


@dataclass
class PlannedRun:
    """A plan plus what apply needs beyond it: the scenario, the state, the observed resources."""

    plan: Plan
    scenario: Scenario
    state: DeploymentState
    assessments: dict[str, Assessment] = field(default_factory=dict)


def make_plan(
    scenario: Scenario,
    state: DeploymentState,
    ctx: RunContext,
    providers: Mapping[str, Provider[Any]],
    *,
    target: Mapping[str, str],
    policy: RetryPolicy | None = None,
    parallelism: int = 10,
) -> PlannedRun:
    """Read and diff every resource of `scenario`; resources only in `state` are planned for removal."""
    planner = Planner(scenario, state, ctx, providers, policy or RetryPolicy())
    return prepare_plan(planner, target).run(parallelism)


def prepare_plan(planner: Planner, target: Mapping[str, str]) -> Prepared[PlannedRun]:
    """The reads of the plan and their graph; finishing raises the first read that failed."""
    scenario, state = planner.scenario, planner.state

    def finish(outcome: GraphRun) -> PlannedRun:
        if outcome.failed:
            raise _first_failure(scenario, outcome.failed)
        order = scenario.order()
        changes = [planner.assessments[name].change for name in order]
        changes += [
            describe.removal(entry) for name, entry in state.resources.items() if name not in scenario.resources
        ]
        plan = Plan(
            changes=tuple(changes),
            scenario_name=scenario.name,
            scenario_hash=scenario.source_hash,
            deployment=state.deployment,
            target=dict(target),
            observed_fingerprint=planner.fingerprint(),
        )
        return PlannedRun(plan, scenario, state, dict(planner.assessments))

    graph = {name: resource.depends_on for name, resource in scenario.resources.items()}
    return Prepared(graph, planner.assess, finish)


def check_providers(scenario: Scenario, providers: Mapping[str, Provider[Any]]) -> None:
    """Refuse, before any cloud call, a scenario using a kind that has no provider."""
    missing = [r for r in scenario.resources.values() if r.kind not in providers]
    if missing:
        lines = [f"{r.location}: kind '{r.kind}' of resource '{r.name}' has no provider yet" for r in missing]
        raise PlanError("\n".join(lines))


def _first_failure(scenario: Scenario, failed: Mapping[str, BaseException]) -> BaseException:
    for name in scenario.order():
        if name in failed:
            error = failed[name]
            if isinstance(error, ProvisionError):
                return error
            return PlanError(f"reading '{name}' failed: {type(error).__name__}: {error}")
    return next(iter(failed.values()))


class Planner:
    """Reads and diffs the resources of one scenario (one `assess` per resource, in dependency order)."""

    def __init__(
        self,
        scenario: Scenario,
        state: DeploymentState,
        ctx: RunContext,
        providers: Mapping[str, Provider[Any]],
        policy: RetryPolicy,
    ) -> None:
        check_providers(scenario, providers)
        self.scenario, self.state, self.ctx, self.providers, self.policy = scenario, state, ctx, providers, policy
        self.tags = deployment_tags(scenario.name, state.deployment)
        self.assessments: dict[str, Assessment] = {}
        self._lock = threading.Lock()

    def assess(self, name: str) -> None:
        resource = self.scenario.resources[name]
        with self._lock:
            exports = Exports(
                with_target({key: value.exports for key, value in self.assessments.items()}, self.ctx.clients)
            )
        desired = build_desired(
            resource, exports.lookup, tags=self.tags, secret_values=resolved_secrets(resource, generate=False)
        )
        assessment = self._assess(resource, desired)
        with self._lock:
            self.assessments[name] = assessment

    def fingerprint(self) -> str:
        documents = {}
        for name, assessment in self.assessments.items():
            sensitive = describe.sensitive_attributes(assessment.desired.kind, self.providers[assessment.desired.kind])
            documents[name] = observed_document(assessment.observed, sensitive)
        return fingerprint(documents)

    def _assess(self, resource: Resource, desired: Desired[Any]) -> Assessment:
        provider = self.providers[resource.kind]
        blocker = self._lookup_blocker(resource, desired)
        if blocker is not None:
            if resource.existing:
                raise PlanError(f"{resource.location}: existing resource '{resource.name}' cannot be read: {blocker}")
            return self._create(resource, desired, provider, f"does not exist yet: {blocker}")
        observed = call_with_retry(lambda: provider.read(self.ctx, desired), policy=self.policy)
        if observed is None:
            if resource.existing:
                raise PlanError(describe.missing_existing(resource, desired))
            return self._create(resource, desired, provider, "does not exist")
        return self._compare(resource, desired, observed, provider)

    def _lookup_blocker(self, resource: Resource, desired: Desired[Any]) -> str | None:
        """Why the resource cannot exist (or be read) yet, or None: its lookup attributes, or an explicit
        `depends_on`, name something this plan creates."""
        spec = resource.spec
        referenced = {ref.resource for ref in references_in(spec)}
        for attribute in KINDS[resource.kind].lookup:
            for ref in references_in(getattr(spec, attribute, None)):
                if (blocker := self._created_first(ref.resource)) is not None:
                    return blocker
            if not is_known(desired.values.get(attribute)):
                return f"'{attribute}' is known only after apply"
        for dependency in sorted(resource.depends_on - referenced):
            if (blocker := self._created_first(dependency)) is not None:
                return blocker
        return None

    def _created_first(self, name: str) -> str | None:
        with self._lock:
            upstream = self.assessments.get(name)
        if upstream is not None and upstream.change.action in (Action.CREATE, Action.REPLACE):
            return f"'{name}' is to be {upstream.change.action.value}d first"
        return None

    def _create(self, resource: Resource, desired: Desired[Any], provider: Provider[Any], reason: str) -> Assessment:
        change = describe.creation(desired, resource, provider, reason)
        return Assessment(change, desired, None, predicted_exports(resource.kind, desired.values))

    def _compare(
        self, resource: Resource, desired: Desired[Any], observed: Observed, provider: Provider[Any]
    ) -> Assessment:
        diffs = provider.diff(desired, observed)
        entry = self.state.resources.get(resource.name)
        if not diffs:
            change = describe.unchanged(desired, observed, provider, entry)
            return Assessment(change, desired, observed, observed.exports)
        if any(diff.forces_replacement for diff in diffs):
            if resource.existing:
                paths = ", ".join(d.path for d in diffs if d.forces_replacement)
                raise PlanError(
                    f"{resource.location}: existing resource '{resource.name}' would have to be replaced "
                    f"({paths} cannot change in place), and provision never replaces an existing resource"
                )
            change = describe.changed(Action.REPLACE, desired, observed, provider, diffs, entry)
            return Assessment(change, desired, observed, predicted_exports(resource.kind, desired.values))
        change = describe.changed(Action.UPDATE, desired, observed, provider, diffs, entry)
        exports = {key: (UNKNOWN if value is None else value) for key, value in observed.exports.items()}
        missing = {key: UNKNOWN for key in KINDS[resource.kind].exports if key not in exports}
        return Assessment(change, desired, observed, {**missing, **exports})
