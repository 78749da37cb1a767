"""State documents: round trip, atomic replacement, errors that name the file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from provisioner.errors import ConfigurationError, StateError
from provisioner.state import DeploymentState, ResourceState, StateStore, StateWriter, Status


def sample(deployment: str = "demo", resources: int = 3) -> DeploymentState:
    state = DeploymentState(deployment=deployment, scenario="demo", target={"name": "local"})
    for index in range(resources):
        address = f"r{index}"
        state.resources[address] = ResourceState(
            address=address,
            kind="resource_group",
            azure_id=f"/subscriptions/s/resourceGroups/{address}",
            exports={"id": f"/subscriptions/s/resourceGroups/{address}", "name": address},
            attributes={"location": "westus", "tags": {"a": "b"}},
            created_by_us=index % 2 == 0,
            prior={"admin": {"login": "old"}} if index == 1 else {},
            depends_on=[f"r{index - 1}"] if index else [],
            status=Status.READY,
        )
    state.outputs = {"id": "x"}
    return state


def test_round_trip(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    state = sample()
    store.save(state)
    loaded = store.load("demo")
    assert loaded is not None
    assert loaded.to_json() == state.to_json()
    assert store.deployments() == ["demo"]
    assert (tmp_path / "demo.json").stat().st_mode & 0o777 == 0o600


def test_missing_state_is_none_and_new_state_is_empty(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "absent")
    assert store.load("demo") is None
    assert store.load_or_new("demo").resources == {}
    assert store.deployments() == []


def test_a_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    for _ in range(3):
        store.save(sample())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["demo.json"]


def test_readers_never_see_a_partial_document(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    big = sample(resources=100)
    store.save(big)
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        while not stop.is_set():
            big.touch()
            store.save(big)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(50):
            loaded = store.load("demo")
            assert loaded is not None and len(loaded.resources) == 100
    except BaseException as error:  # pragma: no cover - reported below
        errors.append(error)
    finally:
        stop.set()
        writer.join()
    assert errors == []


def test_the_writer_saves_every_edit(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    writer = StateWriter(store, DeploymentState(deployment="demo"))
    with writer.edit() as state:
        state.resources["rg"] = ResourceState("rg", "resource_group", status=Status.CREATING, created_by_us=True)
    loaded = store.load("demo")
    assert loaded is not None
    assert loaded.serial == 1
    assert loaded.resources["rg"].status == Status.CREATING


def test_corrupt_state_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "demo.json").write_text("{not json")
    with pytest.raises(StateError, match=r"demo\.json"):
        StateStore(tmp_path).load("demo")
    (tmp_path / "demo.json").write_text('{"version": 99}')
    with pytest.raises(StateError, match="version"):
        StateStore(tmp_path).load("demo")


def test_deployment_names_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="invalid deployment name"):
        StateStore(tmp_path).path("../escape")


def test_state_never_holds_secret_values() -> None:
    entry = ResourceState("vm", "virtual_machine", secrets_set=["admin_password"])
    assert entry.to_json()["secrets_set"] == ["admin_password"]
    assert "value" not in str(entry.to_json())
