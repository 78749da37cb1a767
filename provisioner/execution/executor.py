"""A bounded parallel executor over a dependency graph.

Each node runs once all of its dependencies have succeeded, at most `parallelism` at a time; of the
nodes ready to run, the one with the longest remaining path to a sink (by `cost`) starts first, so
the critical path is never queued behind cheap steps. Nodes belong to groups (a fleet's members; one
group by default): after a failure no new node of its group starts, other groups carry on. After
Ctrl-C no new node starts at all; the running ones finish; the result says what was done, what
failed and what never started.
"""

from __future__ import annotations

import graphlib
import heapq
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

DEFAULT_PARALLELISM = 10
GROUP_SEPARATOR = "/"
T = TypeVar("T")


@dataclass
class GraphRun:
    """The outcome of running a graph: nodes in the order they finished."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, BaseException] = field(default_factory=dict)
    not_started: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_started and not self.interrupted


def _one_group(node: str) -> str:
    return ""


def _unit_cost(node: str) -> float:
    return 1.0


def run_in_order(
    graph: Mapping[str, Collection[str]],
    step: Callable[[str], None],
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    group: Callable[[str], str] = _one_group,
    cost: Callable[[str], float] = _unit_cost,
) -> GraphRun:
    """Run `step(node)` for every node of `graph` (node -> the nodes it depends on)."""
    if parallelism < 1:
        raise ValueError("parallelism must be at least 1")
    dependencies = {node: set(graph.get(node, ())) for node in _all_nodes(graph)}
    sorter = graphlib.TopologicalSorter(dependencies)
    sorter.prepare()
    result = GraphRun()
    drive = _Drive(sorter, step, parallelism, group, critical_paths(dependencies, cost))
    with ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="step") as pool:
        drive.run(pool, result)
    finished = set(result.done) | set(result.failed)
    result.not_started = [node for node in dependencies if node not in finished]
    return result


@dataclass(frozen=True)
class Prepared(Generic[T]):
    """One deployment's steps, ready to run on a graph of their own or with others' (`run_groups`)."""

    graph: Mapping[str, Collection[str]]
    step: Callable[[str], None]
    finish: Callable[[GraphRun], T]
    cost: Callable[[str], float] = _unit_cost

    def run(self, parallelism: int) -> T:
        return self.finish(run_in_order(self.graph, self.step, parallelism=parallelism, cost=self.cost))


def run_groups(prepared: Mapping[str, Prepared[Any]], parallelism: int) -> dict[str, GraphRun]:
    """Every group's steps in one graph (node ids `<group>/<node>`), run by one executor: a group's
    failure stops only its own later steps. Each group's outcome, with its own node ids."""
    graph = {
        f"{name}{GROUP_SEPARATOR}{node}": {f"{name}{GROUP_SEPARATOR}{need}" for need in needs}
        for name, one in prepared.items()
        for node, needs in one.graph.items()
    }

    def step(node: str) -> None:
        name, inner = _split(node)
        prepared[name].step(inner)

    def cost(node: str) -> float:
        name, inner = _split(node)
        return prepared[name].cost(inner)

    outcome = run_in_order(graph, step, parallelism=parallelism, group=lambda node: _split(node)[0], cost=cost)
    return {name: _outcome_of(outcome, name) for name in prepared}


def _split(node: str) -> tuple[str, str]:
    name, _, inner = node.partition(GROUP_SEPARATOR)
    return name, inner


def _outcome_of(outcome: GraphRun, name: str) -> GraphRun:
    def mine(nodes: Collection[str]) -> list[str]:
        return [_split(node)[1] for node in nodes if _split(node)[0] == name]

    failed = {_split(node)[1]: error for node, error in outcome.failed.items() if _split(node)[0] == name}
    return GraphRun(mine(outcome.done), failed, mine(outcome.not_started), outcome.interrupted)


def critical_paths(dependencies: Mapping[str, Collection[str]], cost: Callable[[str], float]) -> dict[str, float]:
    """For each node, its cost plus the costliest chain of its dependants down to a sink."""
    dependants: dict[str, list[str]] = {node: [] for node in dependencies}
    for node, needs in dependencies.items():
        for need in needs:
            dependants.setdefault(need, []).append(node)
    remaining: dict[str, float] = {}
    for node in reversed(list(graphlib.TopologicalSorter(dependencies).static_order())):
        remaining[node] = cost(node) + max((remaining[after] for after in dependants[node]), default=0.0)
    return remaining


@dataclass
class _Drive:
    sorter: graphlib.TopologicalSorter[str]
    step: Callable[[str], None]
    parallelism: int
    group: Callable[[str], str]
    priority: Mapping[str, float]
    ready: list[tuple[float, int, str]] = field(default_factory=list)
    stopped: set[str] = field(default_factory=set)  # groups with a failure
    interrupted: bool = False
    _order: int = 0

    def run(self, pool: ThreadPoolExecutor, result: GraphRun) -> None:
        running: dict[Future[None], str] = {}
        while True:
            if not self.interrupted:
                self._queue(self.sorter.get_ready())
                self._start(pool, running)
            if not running:
                return
            try:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                self.interrupted = result.interrupted = True
                continue
            for future in finished:
                self._finished(running.pop(future), future, result)

    def _queue(self, nodes: Collection[str]) -> None:
        for node in nodes:
            self._order += 1
            heapq.heappush(self.ready, (-self.priority.get(node, 0.0), self._order, node))

    def _start(self, pool: ThreadPoolExecutor, running: dict[Future[None], str]) -> None:
        while self.ready and len(running) < self.parallelism:
            node = heapq.heappop(self.ready)[2]
            if self.group(node) not in self.stopped:
                running[pool.submit(self.step, node)] = node

    def _finished(self, node: str, future: Future[None], result: GraphRun) -> None:
        error = future.exception()
        if error is None:
            result.done.append(node)
            self.sorter.done(node)
            return
        result.failed[node] = error
        self.stopped.add(self.group(node))


def _all_nodes(graph: Mapping[str, Collection[str]]) -> list[str]:
    nodes = dict.fromkeys(graph)
    for deps in graph.values():
        nodes.update(dict.fromkeys(deps))
    return list(nodes)
