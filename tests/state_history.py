"""What every state backend's history must do, run against the local directory and a blob container."""

from __future__ import annotations

from collections.abc import Callable

from provisioner.state import DeploymentState, ResourceState
from provisioner.state.backend import StateBackend


def _run(open_store: Callable[[], StateBackend], deployment: str, value: str, saves: int = 2) -> None:
    """One command: load, then save `saves` times (a step each), the first changing `value`."""
    store = open_store()
    state = store.load_or_new(deployment)
    state.outputs["value"] = value
    for _ in range(saves):
        state.touch()
        store.save(state)


def check_history(open_store: Callable[[], StateBackend], deployment: str, keep: int) -> None:
    _run(open_store, deployment, "one")
    assert open_store().history.numbers(deployment) == []  # a first run starts from nothing to keep
    _run(open_store, deployment, "two")
    _run(open_store, deployment, "two")  # changes nothing: keeps nothing
    versions = open_store().history.versions(deployment)
    assert [(v.number, v.state.outputs["value"]) for v in versions] == [(1, "one")]
    for value in ("three", "four", "five", "six", "seven"):
        _run(open_store, deployment, value)
    versions = open_store().history.versions(deployment)
    assert [v.state.outputs["value"] for v in versions] == ["six", "five", "four", "three", "two"][:keep]
    assert versions[0].number == 6
    store = open_store()
    store.delete(deployment)
    assert store.load(deployment) is None
    assert store.history.versions(deployment)[0].state.outputs["value"] == "seven"
    assert deployment not in store.deployments()


def check_destroyed_state_is_not_kept(open_store: Callable[[], StateBackend], deployment: str) -> None:
    store = open_store()
    state = DeploymentState(deployment=deployment)
    state.resources["rg"] = ResourceState(address="rg", kind="resource_group")
    store.save(state)
    store = open_store()
    state = store.load_or_new(deployment)
    state.resources.clear()
    store.save(state)  # destroy's last step: the starting document (with rg) is kept
    store.delete(deployment)  # an empty document: not kept again
    kept = store.history.versions(deployment)
    assert [list(v.state.resources) for v in kept] == [["rg"]]
