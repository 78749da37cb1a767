"""Plan values: rendering as text and JSON, masking, summaries, saved plans and staleness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioner.errors import PlanError, StalePlanError
from provisioner.plan.model import Action, Change, Plan
from provisioner.plan.render import render_json, render_text
from provisioner.plan.saved import PlanInputs, check_fresh, is_saved_plan, load_plan, save_plan
from provisioner.providers.base import AttributeChange

TARGET = {
    "name": "local",
    "description": "target: local cloud at https://127.0.0.1:1, tenant: T, subscription: S",
    "tenant_id": "T",
    "subscription_id": "S",
}


def make_plan(*changes: Change, fingerprint: str = "f1", scenario_hash: str = "h1") -> Plan:
    return Plan(
        changes=changes,
        scenario_name="demo",
        scenario_hash=scenario_hash,
        deployment="demo",
        target=TARGET,
        observed_fingerprint=fingerprint,
    )


CREATE = Change(
    Action.CREATE,
    "vm",
    "virtual_machine",
    None,
    {"name": "demo-vm", "admin_password": "(sensitive)", "identity": {"system_assigned": True}},
    (),
    "does not exist",
)
UPDATE = Change(
    Action.UPDATE,
    "rg",
    "resource_group",
    {"tags": {}},
    {"tags": {"a": "b"}},
    (AttributeChange("tags", {}, {"a": "b"}),),
    "tags differs from the scenario",
)
REPLACE = Change(
    Action.REPLACE,
    "uai",
    "user_assigned_identity",
    {"location": "westus"},
    {"location": "eastus"},
    (AttributeChange("location", "westus", "eastus", forces_replacement=True),),
    "location cannot change in place",
)
DELETE = Change(Action.DELETE, "old", "role_assignment", {"scope": "/x"}, None, (), "no longer in the scenario")
READ = Change(Action.READ, "shared", "resource_group", {}, {}, (), "existing resource: read only, nothing to change")
NO_OP = Change(Action.NO_OP, "kv", "key_vault", {}, {}, (), "up to date: matches the scenario")
UNKNOWN_PRINCIPAL = Change(
    Action.CREATE,
    "reader",
    "role_assignment",
    None,
    {"principal": "(known after apply)", "role": "Reader"},
    (),
    "does not exist yet: 'vm' is to be created first",
)


def test_text_has_target_first_symbols_and_summary() -> None:
    text = render_text(make_plan(CREATE, UPDATE, REPLACE, DELETE, READ, NO_OP, UNKNOWN_PRINCIPAL))
    lines = text.splitlines()
    assert lines[0].startswith("target: local cloud") and "tenant: T" in lines[0] and "subscription: S" in lines[0]
    assert '  + virtual_machine "vm" {' in lines
    assert '  ~ resource_group "rg" {' in lines
    assert '-/+ user_assigned_identity "uai" {' in lines
    assert '  - role_assignment "old" {' in lines
    assert any(line.startswith(' <= resource_group "shared"') for line in lines)
    assert any('key_vault "kv": no changes, up to date' in line for line in lines)
    assert '      ~ location = "westus" -> "eastus" # forces replacement' in lines
    assert "      + admin_password = (sensitive)" in lines
    assert "      + principal = (known after apply)" in lines
    assert lines[-1] == "Plan: 3 to add, 1 to change, 2 to destroy."


def test_every_action_says_why() -> None:
    text = render_text(make_plan(CREATE, DELETE, NO_OP))
    assert "# vm (virtual_machine) will be created: does not exist" in text
    assert "# old (role_assignment) will be destroyed: no longer in the scenario" in text


def test_no_changes() -> None:
    plan = make_plan(NO_OP, READ)
    assert not plan.has_changes and not plan.summary.any
    text = render_text(plan)
    assert "No changes." in text
    assert text.endswith("Plan: 0 to add, 0 to change, 0 to destroy.")


def test_json_round_trip_and_summary() -> None:
    plan = make_plan(CREATE, UPDATE, REPLACE, DELETE, READ, NO_OP)
    document = json.loads(render_json(plan))
    assert document["summary"] == {"add": 2, "change": 1, "destroy": 2}
    assert document["target"]["subscription_id"] == "S"
    assert [c["action"] for c in document["changes"]] == ["create", "update", "replace", "delete", "read", "no-op"]
    assert Plan.from_json(document) == plan


def test_from_json_refuses_other_documents() -> None:
    with pytest.raises(PlanError, match="unsupported plan format"):
        Plan.from_json({"format_version": 7})
    with pytest.raises(PlanError, match="not a plan document"):
        Plan.from_json({"format_version": 1})


def test_saved_plans_round_trip(tmp_path: Path) -> None:
    plan = make_plan(CREATE, UPDATE)
    inputs = PlanInputs(str(tmp_path / "s.yaml"), "demo", "local", {"prefix": "x"})
    path = tmp_path / "plan.json"
    save_plan(path, plan, inputs)
    assert is_saved_plan(path)
    assert load_plan(path) == (plan, inputs)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("scenario: demo\n")
    assert not is_saved_plan(scenario)


def test_a_stale_plan_is_refused() -> None:
    saved = make_plan(CREATE)
    check_fresh(saved, make_plan(CREATE))
    with pytest.raises(StalePlanError, match="scenario"):
        check_fresh(saved, make_plan(CREATE, scenario_hash="h2"))
    with pytest.raises(StalePlanError, match="changed since"):
        check_fresh(saved, make_plan(CREATE, fingerprint="f2"))
    with pytest.raises(StalePlanError, match="changed since"):
        check_fresh(saved, make_plan(NO_OP))
