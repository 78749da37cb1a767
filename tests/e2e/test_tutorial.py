"""The first tutorial through the CLI: apply, no-change plan, zero-write re-apply, drift repaired,
destroy leaves nothing, destroy again is a no-op; saved plans, confirmation and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioner.azure.clients import Clients
from tests.e2e.checks import resources_named, role_assignments
from tests.e2e.conftest import TUTORIAL, Cloud

pytestmark = pytest.mark.e2e
RESOURCES = 5


def options(prefix: str) -> list[str]:
    return ["--var", f"prefix={prefix}", "--deployment", prefix]


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def looks_generated(value: str) -> bool:
    """A 24-character value with all four character classes, like the VM's generated password."""
    classes = (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    return len(value) == 24 and all(any(test(c) for c in value) for test in classes)


def test_apply_replan_reapply_drift_destroy(cloud: Cloud, sdk: Clients, prefix: str) -> None:
    scenario = str(TUTORIAL)
    fresh = cloud.run("plan", scenario, *options(prefix), "--detailed-exitcode")
    assert fresh.code == 2, fresh.text
    assert fresh.out.startswith("target: local cloud at https://127.0.0.1:")
    assert "Plan: 5 to add, 0 to change, 0 to destroy." in fresh.out

    applied = cloud.run("apply", scenario, *options(prefix), "--auto-approve")
    assert applied.code == 0, applied.text
    assert "Apply: 5 step(s) done, 0 failed, 0 not started." in applied.out
    principal = cloud.run("output", "principal_id", "--deployment", prefix).out.strip()
    assert len(principal) == 36
    state = json.loads((cloud.state_dir / f"{prefix}.json").read_text())
    assert state["resources"]["vm"]["secrets_set"] == ["admin_password"]
    assert not [value for value in strings(state) if looks_generated(value)]  # the password is nowhere

    unchanged = cloud.run("plan", scenario, *options(prefix), "--detailed-exitcode")
    assert unchanged.code == 0, unchanged.text
    assert "No changes." in unchanged.out

    mark = cloud.mark()
    again = cloud.run("apply", scenario, *options(prefix), "--auto-approve")
    counts = cloud.since(mark)
    assert again.code == 0, again.text
    assert counts["writes"] == 0 and counts["deletes"] == 0, counts["by_operation"]
    assert counts["reads"] <= RESOURCES, counts["by_operation"]

    (assignment,) = role_assignments(sdk, principal)
    sdk.authorization.role_assignments.delete_by_id(assignment.id)
    drift = cloud.run("plan", scenario, *options(prefix), "--detailed-exitcode")
    assert drift.code == 2, drift.text
    assert '  + role_assignment "reader" {' in drift.out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in drift.out
    repaired = cloud.run("apply", scenario, *options(prefix), "--auto-approve")
    assert repaired.code == 0, repaired.text
    assert len(role_assignments(sdk, principal)) == 1

    destroyed = cloud.run("destroy", scenario, *options(prefix), "--auto-approve")
    assert destroyed.code == 0, destroyed.text
    assert "Plan: 0 to add, 0 to change, 5 to destroy." in destroyed.out
    assert resources_named(sdk, prefix) == []
    assert role_assignments(sdk, principal) == []
    assert not (cloud.state_dir / f"{prefix}.json").exists()

    mark = cloud.mark()
    twice = cloud.run("destroy", scenario, *options(prefix), "--auto-approve")
    assert twice.code == 0, twice.text
    assert "Nothing to destroy" in twice.out
    assert cloud.since(mark)["total"] == 0


def test_saved_plan_applies_and_a_stale_one_is_refused(cloud: Cloud, sdk: Clients, prefix: str, tmp_path: Path) -> None:
    scenario = str(TUTORIAL)
    saved = tmp_path / "tutorial.plan"
    planned = cloud.run("plan", scenario, *options(prefix), "--out", str(saved), "--json")
    assert planned.code == 0, planned.text
    document = json.loads(planned.out)
    assert document["summary"] == {"add": 5, "change": 0, "destroy": 0}
    assert "target: local cloud" in planned.err
    assert "(sensitive)" in planned.out and "(known after apply)" in planned.out

    applied = cloud.run("apply", str(saved))
    assert applied.code == 0, applied.text

    stale = tmp_path / "stale.plan"
    assert cloud.run("plan", scenario, *options(prefix), "--out", str(stale)).code == 0
    principal = cloud.run("output", "principal_id", "--deployment", prefix).out.strip()
    (assignment,) = role_assignments(sdk, principal)
    sdk.authorization.role_assignments.delete_by_id(assignment.id)
    refused = cloud.run("apply", str(stale))
    assert refused.code == 1
    assert "stale" in refused.err
    assert cloud.run("destroy", scenario, *options(prefix), "--auto-approve").code == 0


def test_apply_without_terminal_or_auto_approve_refuses_at_once(cloud: Cloud, prefix: str) -> None:
    mark = cloud.mark()
    refused = cloud.run("apply", str(TUTORIAL), *options(prefix))
    assert refused.code == 1
    assert "--auto-approve" in refused.err
    counts = cloud.since(mark)
    assert counts["writes"] == 0 and counts["deletes"] == 0


def test_bad_input_exits_2_before_any_cloud_call(cloud: Cloud, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("scenario: broken\nresources:\n  rg:\n    kind: resource_group\n    name: x\n    colour: red\n")
    mark = cloud.mark()
    for command in ("plan", "apply", "destroy"):
        outcome = cloud.run(command, str(broken), "--auto-approve" if command != "plan" else "--json")
        assert outcome.code == 2, outcome.text
        assert f"{broken}:6:5" in outcome.err
    assert cloud.since(mark)["total"] == 0


def test_a_missing_existing_resource_is_a_clear_error(cloud: Cloud, tmp_path: Path) -> None:
    scenario = tmp_path / "existing.yaml"
    scenario.write_text(
        "scenario: existing\nresources:\n  rg:\n    kind: resource_group\n    existing: true\n    name: nope\n"
    )
    outcome = cloud.run("plan", str(scenario))
    assert outcome.code == 1
    assert f"{scenario}:3:3: existing resource 'rg' (resource_group) was not found" in outcome.err
