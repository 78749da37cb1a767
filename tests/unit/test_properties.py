"""Property: whatever the file holds, the loader returns a Scenario or raises ScenarioError."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provisioner.errors import ScenarioError
from provisioner.scenario import load_scenario
from tests.unit.conftest import DATA, ENV, REPO

VALID = [
    yaml.safe_load((REPO / "scenarios" / "vm-system-identity-arm.yaml").read_text()),
    yaml.safe_load((DATA / "all_kinds.yaml").read_text()),
]
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # only speeds up writing the test inputs
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_counter = itertools.count()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)
broken_references = st.sampled_from(
    ["${", "${}", "${rg", "${nope.id}", "${rg.nope}", "${var.nope}", "${env.NOPE}", "${rg}", "$${x}", "${a..b}"]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += _paths(item, (*prefix, index))
    return paths


def _mutate(document: Any, data: st.DataObject) -> Any:
    paths = [path for path in _paths(document) if path]
    path = data.draw(st.sampled_from(paths))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    operation = data.draw(st.sampled_from(["drop", "retype", "break", "cycle"]))
    if operation == "drop":
        del parent[path[-1]]
    elif operation == "retype":
        parent[path[-1]] = data.draw(values)
    elif operation == "break":
        parent[path[-1]] = data.draw(broken_references)
    else:
        _inject_cycle(document, data)
    return document


def _inject_cycle(document: Any, data: st.DataObject) -> None:
    resources = document.get("resources")
    if isinstance(resources, dict) and len(resources) >= 2:
        first, second = data.draw(st.permutations(list(resources)))[:2]
        for owner, target in ((first, second), (second, first)):
            if isinstance(resources[owner], dict):
                resources[owner]["resource_group"] = f"${{{target}.name}}"


def _load(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / f"scenario-{next(_counter)}.yaml"
    path.write_bytes(content)
    try:
        load_scenario(path, env=ENV)
    except ScenarioError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.line >= 1 and diagnostic.column >= 1
            assert diagnostic.render().startswith(f"{path}:")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@SETTINGS
@given(data=st.data(), mutations=st.integers(min_value=1, max_value=4))
def test_mutated_scenarios_only_raise_scenario_errors(scratch: Path, data: st.DataObject, mutations: int) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(VALID)))
    for _ in range(mutations):
        if isinstance(document, dict | list) and document:
            document = _mutate(document, data)
    _load(scratch, yaml.dump(document, Dumper=DUMPER, allow_unicode=True).encode())


@SETTINGS
@given(data=st.data())
def test_corrupted_bytes_only_raise_scenario_errors(scratch: Path, data: st.DataObject) -> None:
    original = (DATA / "all_kinds.yaml").read_bytes()
    position = data.draw(st.integers(min_value=0, max_value=len(original)))
    garbage = data.draw(st.binary(min_size=1, max_size=20) | st.text(max_size=20).map(str.encode))
    _load(scratch, original[:position] + garbage + original[position + data.draw(st.integers(0, 5)) :])


@SETTINGS
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_input_only_raises_scenario_errors(scratch: Path, content: bytes) -> None:
    _load(scratch, content)
