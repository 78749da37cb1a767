"""Apply a tutorial scenario on the local cloud (in a process of its own, as Azure is) with latency
injected, and print

- the apply's wall time divided by its critical path (target <= 1.1): the longest dependency chain, each step
  costing its requests (async polls included) x the injected latency, counted in the local cloud's
  request log within the step's start and end (steps running in parallel share a window, which can
  only lengthen the path computed);
- reads and writes of a first apply and of a re-apply (targets: 0 writes, <= 1 read per resource).

The SDK packages are imported in the background while planning, as the CLI does; the apply is
timed from when they are in. Numbers only; nothing here asserts.
Run alone: python -m bench.apply_critical_path [--latency-ms 50] [--scenario FILE].
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cloud import CloudProcess, cloud_process
from bench.report import figure
from provisioner.azure.clients import Clients
from provisioner.azure.target import local_target
from provisioner.engine.apply import apply_plan
from provisioner.engine.report import StepFailure
from provisioner.engine.warmup import warm_up
from provisioner.plan.context import RunContext
from provisioner.plan.model import Action
from provisioner.plan.planner import make_plan
from provisioner.providers import PROVIDERS
from provisioner.scenario import Scenario, load_scenario
from provisioner.state import StateStore, StateWriter

DEFAULT_SCENARIO = Path("scenarios/vm-system-identity-arm.yaml")
RATIO_TARGET = 1.1  # apply wall time / critical path


@dataclass
class StepWindows:
    """A Progress that records when each step ran (wall clock, comparable with the request log)."""

    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    _starts: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, address: str, action: Action) -> None:
        with self._lock:
            self._starts[address] = time.time()

    def finished(self, address: str, action: Action, detail: str) -> None:
        with self._lock:
            if address in self._starts:
                self.windows[address] = (self._starts[address], time.time())

    def failed(self, address: str, action: Action, failure: StepFailure) -> None:
        print(f"  step failed: {failure.describe()}")

    def note(self, address: str, message: str) -> None:
        pass


@dataclass
class Run:
    cloud: CloudProcess
    clients: Clients
    scenario: Scenario
    store: StateStore

    def mark(self) -> int:
        return self.cloud.mark()

    def requests(self, since: int) -> dict[str, Any]:
        return self.cloud.requests(since)

    def apply(self) -> tuple[float, float, StepWindows]:
        """(plan seconds, apply seconds, step windows) of one `provision apply`. As the CLI does, the
        SDK packages are imported in the background while planning; apply starts once they are."""
        deployment = self.scenario.name
        state = self.store.load_or_new(deployment)
        started = time.monotonic()
        warming = warm_up(resource.kind for resource in self.scenario.resources.values())
        run = make_plan(self.scenario, state, RunContext(self.clients), PROVIDERS, target={"name": "local"})
        warming.join()
        planned = time.monotonic()
        windows = StepWindows()
        report = apply_plan(run, RunContext(self.clients), PROVIDERS, StateWriter(self.store, state), progress=windows)
        if not report.ok:
            print("\n".join(report.summary_lines("apply")))
        return planned - started, time.monotonic() - planned, windows


def critical_path(scenario: Scenario, windows: StepWindows, records: list[dict[str, Any]], latency: float) -> float:
    """Longest dependency chain, each step costing its requests (async polls included) x latency."""
    cost: dict[str, float] = {}
    for name in windows.windows:
        start, end = windows.windows[name]
        inside = [record for record in records if start <= record["time"] <= end]
        cost[name] = len(inside) * latency
    longest: dict[str, float] = {}
    for name in scenario.order():
        before = max((longest[dep] for dep in scenario.resources[name].depends_on), default=0.0)
        longest[name] = before + cost.get(name, 0.0)
    return max(longest.values(), default=0.0)


@contextmanager
def local_cloud(latency_ms: float) -> Iterator[tuple[CloudProcess, Clients]]:
    """The local cloud in its own process (`provision cloud start`), and clients signed in to it."""
    with (
        tempfile.TemporaryDirectory(prefix="provision-bench-") as directory,
        cloud_process(Path(directory) / "cloud", "--latency-ms", f"{latency_ms:g}") as cloud,
    ):
        target = local_target(cloud.connection)
        try:
            with Clients(target) as clients:
                yield cloud, clients
        finally:
            target.close()


def counts(summary: dict[str, Any]) -> str:
    return f"{summary['reads']} reads, {summary['writes']} writes, {summary['deletes']} deletes"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.apply_critical_path")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000
    scenario = load_scenario(args.scenario)
    resources = len(scenario.resources)
    print(f"scenario {scenario.name}: {resources} resources, {args.latency_ms:.0f} ms latency per call")
    with local_cloud(args.latency_ms) as (cloud, clients), tempfile.TemporaryDirectory() as state_dir:
        run = Run(cloud, clients, scenario, StateStore(Path(state_dir)))
        mark = run.mark()
        plan_seconds, apply_seconds, windows = run.apply()
        first = run.requests(mark)
        path = critical_path(scenario, windows, first["records"], latency)
        print(f"first apply: plan {plan_seconds:.2f}s, apply {apply_seconds:.2f}s; {counts(first)}")
        print(f"  critical path {path:.2f}s")
        print("  " + figure("apply wall time / critical path", apply_seconds / path, "<=", RATIO_TARGET))
        mark = run.mark()
        plan_seconds, apply_seconds, _ = run.apply()
        again = run.requests(mark)
        per_resource = again["reads"] / resources
        print(f"re-apply: plan {plan_seconds:.2f}s, apply {apply_seconds:.2f}s; {counts(again)}")
        print("  " + figure("reads per resource", per_resource, "<=", 1))
        print("  " + figure("writes", again["writes"], "==", 0, digits=0))


if __name__ == "__main__":
    main()
