"""The local directory keeps the last N versions of a deployment's state under history/."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.errors import ConfigurationError, StateError
from provisioner.state import StateStore
from provisioner.state.history import HISTORY_VARIABLE
from tests.state_history import check_destroyed_state_is_not_kept, check_history


def test_history_of_the_local_directory(tmp_path: Path) -> None:
    check_history(lambda: StateStore(tmp_path), "class-a", keep=5)
    assert sorted(p.name for p in (tmp_path / "history").iterdir())[0] == "class-a.v3.json"
    assert StateStore(tmp_path).deployments() == []  # history copies are not deployments


def test_fewer_versions_kept_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HISTORY_VARIABLE, "2")
    check_history(lambda: StateStore(tmp_path), "class-b", keep=2)


def test_none_kept_with_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HISTORY_VARIABLE, "0")
    store = StateStore(tmp_path)
    state = store.load_or_new("off")
    state.outputs["v"] = 1
    store.save(state)
    state.outputs["v"] = 2
    StateStore(tmp_path).save(state)
    assert StateStore(tmp_path).history.numbers("off") == []


def test_a_destroyed_deployment_keeps_what_it_had(tmp_path: Path) -> None:
    check_destroyed_state_is_not_kept(lambda: StateStore(tmp_path), "gone")


@pytest.mark.parametrize("value", ["-1", "many", "101"])
def test_a_bad_history_setting_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(HISTORY_VARIABLE, value)
    with pytest.raises(ConfigurationError, match=HISTORY_VARIABLE):
        StateStore(tmp_path)


def test_a_missing_version_names_the_kept_ones(tmp_path: Path) -> None:
    check_history(lambda: StateStore(tmp_path / "s"), "named", keep=5)
    with pytest.raises(StateError, match=r"no state version v1 \(kept: v7, v6, v5, v4, v3\)"):
        StateStore(tmp_path / "s").history.load("named", 1)
