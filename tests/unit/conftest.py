"""Helpers shared by the scenario tests: write a scenario, load it, collect its diagnostics."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from provisioner.errors import ScenarioError
from provisioner.scenario import Scenario, load_scenario

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parents[2]
ENV = {"APP_SECRET": "env-secret-value-123", "SQL_PASSWORD": "Sql-Pa55word-456"}

# A valid scenario with a warning (a user-assigned identity name longer than 24 characters).
LONG_IDENTITY = """\
scenario: warned
resources:
  rg:
    kind: resource_group
    name: rg
    location: westus
  uai:
    kind: user_assigned_identity
    existing: true
    resource_group: ${rg.name}
    name: an-identity-name-longer-than-24
"""

Write = Callable[..., Path]
Diagnose = Callable[..., list[str]]


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """Writes a file in a fresh directory (the working directory), returning its relative path."""
    monkeypatch.chdir(tmp_path)

    def write_file(content: str | bytes, name: str = "s.yaml") -> Path:
        path = Path(name)
        if isinstance(content, str):
            content = textwrap.dedent(content).lstrip("\n").encode()
        path.write_bytes(content)
        return path

    return write_file


@pytest.fixture
def diagnose(write: Write) -> Diagnose:
    """Loads `content` as s.yaml and returns its rendered diagnostics (it must fail)."""

    def run(content: str | bytes, **options: Any) -> list[str]:
        options.setdefault("env", ENV)
        with pytest.raises(ScenarioError) as failure:
            load_scenario(write(content), **options)
        return [diagnostic.render() for diagnostic in failure.value.diagnostics]

    return run


def load_text(write: Write, content: str, env: Mapping[str, str] = ENV, **options: Any) -> Scenario:
    return load_scenario(write(content), env=env, **options)
