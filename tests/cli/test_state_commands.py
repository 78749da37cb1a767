"""`provision state`: migrate a local directory into a blob container and back, pull and push, and
`unlock --force` breaking a lease someone still holds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from provisioner.azure.target import local_target
from provisioner.errors import StateError
from provisioner.state import DeploymentState, StateStore
from provisioner.state.select import open_backend
from tests.cli.blob_state import connection_of as _connection
from tests.e2e.conftest import Cloud

pytestmark = pytest.mark.e2e


def _state(cloud: Cloud, where: str, *args: str) -> tuple[int, str]:
    outcome = cloud.run("state", "--state", where, "--data-dir", str(cloud.data_dir), *args)
    return outcome.code, outcome.text


def test_migrate_round_trip(cloud: Cloud, location: str, tmp_path: Path) -> None:
    source = StateStore(tmp_path / "local")
    kept = DeploymentState(deployment="moved")
    kept.outputs["answer"] = "42"
    source.save(kept)
    code, text = _state(cloud, str(tmp_path / "local"), "migrate", "--to", location + "/migrated")
    assert code == 0, text
    code, text = _state(cloud, location + "/migrated", "list")
    assert (code, text.split()) == (0, ["moved"])
    code, text = _state(cloud, location + "/migrated", "migrate", "--to", str(tmp_path / "back"))
    assert code == 0, text
    assert StateStore(tmp_path / "back").load_or_new("moved").outputs == {"answer": "42"}
    code, text = _state(cloud, str(tmp_path / "local"), "migrate", "--to", location + "/migrated")
    assert code == 1 and "already has state" in text


def test_pull_push_rm(cloud: Cloud, location: str, tmp_path: Path) -> None:
    where = location + "/pushed"
    document = DeploymentState(deployment="copied")
    document.outputs["v"] = "1"
    file = tmp_path / "copied.json"
    file.write_text(json.dumps(document.to_json()))
    assert _state(cloud, where, "push", "copied", str(file))[0] == 0
    assert _state(cloud, where, "pull", "copied", str(tmp_path / "out.json"))[0] == 0
    assert json.loads((tmp_path / "out.json").read_text())["outputs"] == {"v": "1"}
    assert _state(cloud, where, "rm", "copied")[0] == 0
    assert _state(cloud, where, "show", "copied")[0] == 1


def test_unlock_force_breaks_a_held_lease(cloud: Cloud, location: str) -> None:
    backend = open_backend(location + "/held", local_target(_connection(cloud)))
    lock = backend.lock("busy", command="apply")
    lock.__enter__()
    code, text = _state(cloud, location + "/held", "unlock", "busy", "--force")
    assert code == 0 and f"held by pid {os.getpid()}" in text
    with open_backend(location + "/held", local_target(_connection(cloud))).lock("busy", command="apply"):
        pass
    lock.release()


def test_mv_renames_and_refuses_to_overwrite(cloud: Cloud, location: str, tmp_path: Path) -> None:
    where = location + "/renamed"
    for name in ("alice", "taken"):
        file = tmp_path / f"{name}.json"
        document = DeploymentState(deployment=name)
        document.outputs["who"] = name
        file.write_text(json.dumps(document.to_json()))
        assert _state(cloud, where, "push", name, str(file))[0] == 0
    code, text = _state(cloud, where, "mv", "alice", "alice-2026")
    assert code == 0, text
    code, text = _state(cloud, where, "list")
    assert sorted(text.split()) == ["alice-2026", "taken"]
    code, text = _state(cloud, where, "show", "alice-2026")
    assert json.loads(text)["deployment"] == "alice-2026" and json.loads(text)["outputs"] == {"who": "alice"}
    code, text = _state(cloud, where, "mv", "alice-2026", "taken")
    assert code == 1 and "already has state" in text
    assert json.loads(_state(cloud, where, "show", "taken")[1])["outputs"] == {"who": "taken"}


def test_unlock_without_force_and_without_a_terminal_refuses(cloud: Cloud, location: str) -> None:
    backend = open_backend(location + "/asked", local_target(_connection(cloud)))
    lock = backend.lock("busy", command="apply")
    lock.__enter__()
    code, text = _state(cloud, location + "/asked", "unlock", "busy")
    assert code == 2 and "without a terminal pass --force" in text
    second = open_backend(location + "/asked", local_target(_connection(cloud)))
    with pytest.raises(StateError, match="locked by"), second.lock("busy", command="apply"):
        pass
    lock.release()


def _three_versions(store: StateStore, deployment: str) -> None:
    for value in ("first", "second", "third"):
        run = StateStore(store.directory)
        state = run.load_or_new(deployment)
        state.outputs["value"] = value
        run.save(state)


def test_history_travels_with_migrate_and_mv(cloud: Cloud, location: str, tmp_path: Path) -> None:
    local = StateStore(tmp_path / "local")
    _three_versions(local, "lesson")
    where = location + "/with-history"
    assert _state(cloud, str(local.directory), "migrate", "--to", where)[0] == 0
    code, text = _state(cloud, where, "history", "lesson")
    assert code == 0 and [line.split()[0] for line in text.splitlines()] == ["v2", "v1"], text
    code, text = _state(cloud, where, "show", "lesson", "--version", "1")
    assert code == 0 and json.loads(text)["outputs"] == {"value": "first"}
    assert _state(cloud, where, "mv", "lesson", "lesson-b")[0] == 0
    code, text = _state(cloud, where, "history", "lesson-b")
    assert code == 0 and text.split()[0] == "v2", text
    code, text = _state(cloud, where, "show", "lesson-b", "--version", "2")
    assert json.loads(text) == {**json.loads(text), "deployment": "lesson-b", "outputs": {"value": "second"}}
    assert "No earlier versions" in _state(cloud, where, "history", "lesson")[1]


def test_roll_back_to_a_kept_version(cloud: Cloud, location: str, tmp_path: Path) -> None:
    local = StateStore(tmp_path / "local")
    _three_versions(local, "undo")
    where = str(local.directory)
    assert _state(cloud, where, "pull", "undo", str(tmp_path / "old.json"), "--version", "1")[0] == 0
    assert _state(cloud, where, "push", "undo", str(tmp_path / "old.json"))[0] == 0
    assert StateStore(local.directory).load_or_new("undo").outputs == {"value": "first"}
    code, text = _state(cloud, where, "history", "undo")
    assert text.split()[0] == "v3", text  # the rolled-back document is itself kept
    code, text = _state(cloud, where, "show", "undo", "--version", "9")
    assert code == 1 and "no state version v9" in text
