"""The graph executor with plain step functions: order, bounded parallelism, stop on failure."""

from __future__ import annotations

import threading

import pytest

from provisioner.execution.executor import run_in_order

CHAIN = {"rg": set(), "vnet": {"rg"}, "nic": {"vnet"}, "vm": {"nic", "rg"}, "ra": {"vm", "rg"}}


def test_every_node_runs_after_its_dependencies() -> None:
    finished: list[str] = []
    lock = threading.Lock()

    def step(node: str) -> None:
        with lock:
            assert CHAIN[node] <= set(finished), f"{node} started before {CHAIN[node] - set(finished)}"
            finished.append(node)

    result = run_in_order(CHAIN, step, parallelism=4)
    assert result.ok
    assert sorted(result.done) == sorted(CHAIN)
    assert finished == result.done


def test_independent_nodes_run_at_the_same_time() -> None:
    width = 5
    graph: dict[str, set[str]] = {f"n{i}": set() for i in range(width)}
    barrier = threading.Barrier(width, timeout=10)

    def step(node: str) -> None:
        barrier.wait()  # every step waits for all the others: completes only if all run concurrently

    result = run_in_order(graph, step, parallelism=width)
    assert result.ok


def test_parallelism_is_a_bound() -> None:
    graph: dict[str, set[str]] = {f"n{i}": set() for i in range(12)}
    lock = threading.Lock()
    running = 0
    peak = 0
    release = threading.Event()
    arrived = threading.Semaphore(0)

    def step(node: str) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        arrived.release()
        release.wait(10)
        with lock:
            running -= 1

    worker = threading.Thread(target=lambda: run_in_order(graph, step, parallelism=3))
    worker.start()
    for _ in range(3):
        assert arrived.acquire(timeout=10)
    assert not arrived.acquire(timeout=0.2)  # a fourth step has not started while three run
    release.set()
    worker.join(10)
    assert peak == 3


def test_after_a_failure_no_new_step_starts_and_running_ones_finish() -> None:
    graph = {"a": set(), "slow": set(), "b": {"a"}, "c": {"b"}, "after_slow": {"slow"}}
    failing = threading.Event()
    slow_done = threading.Event()

    def step(node: str) -> None:
        if node == "a":
            failing.set()
            raise RuntimeError("boom")
        if node == "slow":
            assert failing.wait(10)
            slow_done.set()

    result = run_in_order(graph, step, parallelism=2)
    assert not result.ok
    assert list(result.failed) == ["a"]
    assert str(result.failed["a"]) == "boom"
    assert result.done == ["slow"] and slow_done.is_set()
    assert sorted(result.not_started) == ["after_slow", "b", "c"]


def test_parallelism_must_be_positive() -> None:
    with pytest.raises(ValueError):
        run_in_order({"a": set()}, lambda node: None, parallelism=0)


def test_nodes_only_named_as_dependencies_run_too() -> None:
    seen: list[str] = []
    result = run_in_order({"b": {"a"}}, seen.append, parallelism=1)
    assert result.ok and seen == ["a", "b"]


def test_a_failure_stops_only_its_own_group() -> None:
    graph = {"x/a": set(), "x/b": {"x/a"}, "x/c": set(), "y/a": set(), "y/b": {"y/a"}}
    order: list[str] = []

    def step(node: str) -> None:
        order.append(node)
        if node == "x/a":
            raise RuntimeError("boom")

    result = run_in_order(graph, step, parallelism=1, group=lambda node: node.split("/")[0])
    assert list(result.failed) == ["x/a"]
    assert sorted(result.done) == ["y/a", "y/b"]
    assert sorted(result.not_started) == ["x/b", "x/c"]  # x's later steps, dependants or not


def test_ready_nodes_start_critical_path_first() -> None:
    # "tags" are ready first in insertion order, but "vm" heads the costlier chain.
    graph = {"tags1": set(), "tags2": set(), "vm": set(), "grant": {"vm"}}
    costs = {"vm": 5.0, "grant": 1.0, "tags1": 1.0, "tags2": 1.0}
    order: list[str] = []
    result = run_in_order(graph, order.append, parallelism=1, cost=costs.__getitem__)
    assert result.ok
    assert order[0] == "vm"
