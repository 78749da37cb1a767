"""A bounded parallel executor over a dependency graph.

Each node runs once all of its dependencies have succeeded, at most `parallelism` at a time. After
the first failure (or Ctrl-C) no new node starts; the running ones finish; the result says what was
done, what failed and what never started.
"""

from __future__ import annotations

import graphlib
from collections import deque
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

DEFAULT_PARALLELISM = 10


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


def run_in_order(
    graph: Mapping[str, Collection[str]],
    step: Callable[[str], None],
    *,
    parallelism: int = DEFAULT_PARALLELISM,
) -> GraphRun:
    """Run `step(node)` for every node of `graph` (node -> the nodes it depends on)."""
    if parallelism < 1:
        raise ValueError("parallelism must be at least 1")
    sorter = graphlib.TopologicalSorter({node: set(deps) for node, deps in graph.items()})
    sorter.prepare()
    result = GraphRun()
    with ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="step") as pool:
        _drive(sorter, pool, step, parallelism, result)
    finished = set(result.done) | set(result.failed)
    result.not_started = [node for node in _all_nodes(graph) if node not in finished]
    return result


def _drive(
    sorter: graphlib.TopologicalSorter[str],
    pool: ThreadPoolExecutor,
    step: Callable[[str], None],
    parallelism: int,
    result: GraphRun,
) -> None:
    ready: deque[str] = deque()
    running: dict[Future[None], str] = {}
    stopping = False
    while True:
        if not stopping:
            ready.extend(sorter.get_ready())
            while ready and len(running) < parallelism:
                node = ready.popleft()
                running[pool.submit(step, node)] = node
        if not running:
            return
        try:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
        except KeyboardInterrupt:
            stopping = result.interrupted = True
            continue
        for future in finished:
            node = running.pop(future)
            error = future.exception()
            if error is None:
                result.done.append(node)
                sorter.done(node)
            else:
                result.failed[node] = error
                stopping = True


def _all_nodes(graph: Mapping[str, Collection[str]]) -> list[str]:
    nodes = dict.fromkeys(graph)
    for deps in graph.values():
        nodes.update(dict.fromkeys(deps))
    return list(nodes)
