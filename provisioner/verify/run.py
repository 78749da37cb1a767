"""`verify`: every check of a scenario, made as the identity itself, judged against what it expects.

For each check: who acts (the VM or web app, and which identity), what it does (the action of its
ability on the target's kind), where the target is (state ids, endpoints read as the operator); then
the checks of each actor run together in one probe, actors in parallel. A check whose identity or
target is not applied is not run and fails; one the runner cannot make is skipped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from provisioner.azure.clients import Clients
from provisioner.scenario import Check, Scenario
from provisioner.state import DeploymentState
from provisioner.verify.abilities import Expect
from provisioner.verify.actors import Actor, actor_for, applied, unhosted_label
from provisioner.verify.local import LocalRunner
from provisioner.verify.locate import Locating, confirm_exists, locate
from provisioner.verify.model import CheckResult, Outcome, Unverifiable, VerifyReport, skipped
from provisioner.verify.runcommand import RunCommandRunner
from provisioner.verify.runner import Probe, Runner
from provisioner.verify.targets import action_for

DEFAULT_PARALLELISM = 4


@dataclass(frozen=True)
class Planned:
    """One check, ready to probe (`probe` and `actor`) or already decided (`outcome`)."""

    index: int
    check: Check
    expected: Expect
    acting_as: str
    actor: Actor | None = None
    probe: Probe | None = None
    outcome: Outcome | None = None


def verify(
    scenario: Scenario,
    state: DeploymentState | None,
    clients: Clients,
    *,
    deployment: str,
    target: str,
    parallelism: int = DEFAULT_PARALLELISM,
) -> VerifyReport:
    """Run the scenario's checks against the deployment (`state` None: nothing applied)."""
    only = Deployed(deployment, scenario, state)
    return verify_many([only], clients, target=target, parallelism=parallelism)[deployment]


@dataclass(frozen=True)
class Deployed:
    deployment: str
    scenario: Scenario
    state: DeploymentState | None


def verify_many(
    deployments: list[Deployed], clients: Clients, *, target: str, parallelism: int = DEFAULT_PARALLELISM
) -> dict[str, VerifyReport]:
    """The checks of several deployments (a fleet's members), their probes run together: one report each."""
    runner = make_runner(clients)
    try:
        planned = {
            one.deployment: [
                plan_check(index, check, one.scenario, one.state, clients, runner)
                for index, check in enumerate(one.scenario.checks)
            ]
            for one in deployments
        }
        outcomes = run_probes(planned, runner, parallelism)
    finally:
        runner.close()
    return {
        one.deployment: VerifyReport(
            one.scenario.name,
            one.deployment,
            target,
            [
                CheckResult(
                    item.index,
                    item.check,
                    item.acting_as,
                    item.expected,
                    item.outcome or outcomes[one.deployment][str(item.index)],
                )
                for item in planned[one.deployment]
            ],
        )
        for one in deployments
    }


def make_runner(clients: Clients) -> Runner:
    """Child processes on the local cloud; Run Command inside the VM on Azure."""
    if clients.target.profile.local:
        return LocalRunner(clients.target)
    return RunCommandRunner(clients)


def plan_check(
    index: int, check: Check, scenario: Scenario, state: DeploymentState | None, clients: Clients, runner: Runner
) -> Planned:
    action, expected = action_for(scenario.resources[check.target].kind, check)
    try:
        actor = actor_for(check, scenario, state)
    except Unverifiable as unverifiable:
        return Planned(index, check, expected, unhosted_label(check, scenario), outcome=unverifiable.outcome)
    try:
        target = applied(state, check.target)
        reason = runner.unsupported(actor, action)
        if reason is not None:
            raise Unverifiable(skipped(reason))
        locating = Locating(target, actor.slug, clients)
        if expected is Expect.REFUSED:
            confirm_exists(locating)
        params = locate(action, locating)
    except Unverifiable as unverifiable:
        return Planned(index, check, expected, actor.label, outcome=unverifiable.outcome)
    return Planned(index, check, expected, actor.label, actor, Probe(str(index), action, params))


def run_probes(planned: dict[str, list[Planned]], runner: Runner, parallelism: int) -> dict[str, dict[str, Outcome]]:
    """Every probe's outcome, by deployment: one run per actor with all its probes, at most `parallelism`
    at once."""
    batches: dict[tuple[str, tuple[str, str | None]], tuple[Actor, list[Probe]]] = {}
    for deployment, items in planned.items():
        for item in items:
            if item.actor is not None and item.probe is not None:
                batches.setdefault((deployment, item.actor.key), (item.actor, []))[1].append(item.probe)
    outcomes: dict[str, dict[str, Outcome]] = {deployment: {} for deployment in planned}
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        found = pool.map(lambda batch: runner.run(*batch), batches.values())
        for (deployment, _), results in zip(batches, found, strict=True):
            outcomes[deployment].update(results)
    return outcomes
