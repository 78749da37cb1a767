"""What `plan`, `apply`, `output` and `show` print where a newcomer first looks: the target line of a
plan that stops, the labels of `show`, and what `--deployment` defaults to when there is no scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cloud

pytestmark = pytest.mark.e2e
TARGET_LINE = "target: local cloud at https://127.0.0.1:"
MISSING = "scenario: existing\nresources:\n  rg:\n    kind: resource_group\n    existing: true\n    name: nope\n"
GROUP = (
    "scenario: group\nresources:\n  rg:\n    kind: resource_group\n    name: ${var.prefix}-rg\n    location: westus\n"
)


def scenario(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text("variables:\n  prefix: x\n" + text if "${var.prefix}" in text else text)
    return str(path)


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_plan_that_stops_on_a_missing_existing_resource_names_its_target_first(
    cloud: Cloud, tmp_path: Path, command: str
) -> None:
    path = scenario(tmp_path, MISSING)
    outcome = cloud.run(command, path, "--auto-approve") if command == "apply" else cloud.run(command, path)
    assert outcome.code == 1, outcome.text
    assert outcome.out.startswith(TARGET_LINE)
    assert outcome.out.count("target: ") == 1
    assert ", tenant: " in outcome.out.splitlines()[0] and ", subscription: " in outcome.out.splitlines()[0]
    assert f"{path}:3:3: existing resource 'rg' (resource_group) was not found" in outcome.err


def test_a_json_plan_that_stops_prints_the_target_line_once_on_stderr(cloud: Cloud, tmp_path: Path) -> None:
    outcome = cloud.run("plan", scenario(tmp_path, MISSING), "--json")
    assert outcome.code == 1, outcome.text
    assert outcome.out == ""
    assert outcome.err.startswith(TARGET_LINE)
    assert outcome.err.count("target: ") == 1


def test_show_labels_the_target(cloud: Cloud, tmp_path: Path, prefix: str) -> None:
    path = scenario(tmp_path, GROUP)
    applied = cloud.run("apply", path, "--var", f"prefix={prefix}", "--deployment", prefix, "--auto-approve")
    assert applied.code == 0, applied.text
    identity = cloud.server.cloud.identity
    shown = cloud.run("show", "--deployment", prefix)
    assert shown.code == 0, shown.text
    assert shown.out.splitlines()[1:4] == [
        "  target: local",
        f"  tenant id: {identity.tenant_id}",
        f"  subscription id: {identity.subscription_id}",
    ]
    state = json.loads(cloud.run("show", "--deployment", prefix, "--json").out)
    assert state["target"]["name"] == "local"  # the JSON document keeps its keys
    destroyed = cloud.run("destroy", path, "--var", f"prefix={prefix}", "--deployment", prefix, "--auto-approve")
    assert destroyed.code == 0, destroyed.text


@pytest.mark.parametrize("command", ["output", "show"])
def test_deployment_help_of_a_command_without_scenario_says_what_it_defaults_to(cloud: Cloud, command: str) -> None:
    outcome = cloud.run(command, "--help")
    assert outcome.code == 0, outcome.text
    text = " ".join(outcome.out.split())
    assert "--deployment TEXT Deployment to read (default: the only deployment in --state-dir; an error if" in text
    assert "scenario's name" not in text


def test_without_deployment_several_deployments_are_an_error_naming_them(cloud: Cloud, tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    for name in ("alice", "bob"):
        (state_dir / f"{name}.json").write_text(json.dumps({"version": 1, "deployment": name, "scenario": "s"}))
    elsewhere = Cloud(cloud.server, state_dir)
    for command in ("output", "show"):
        outcome = elsewhere.run(command)
        assert outcome.code == 1
        assert f"name a deployment with --deployment (deployments in {state_dir}: alice, bob)" in outcome.err
