"""From scenario resources to provider input, and the destroy plan from a state: no cloud involved."""

from __future__ import annotations

from pathlib import Path

from provisioner.engine.destroy import destroy_graph, plan_destroy
from provisioner.plan.desired import (
    Exports,
    build_desired,
    generate_secret,
    predicted_exports,
    resolved_secrets,
)
from provisioner.plan.model import Action
from provisioner.providers.base import UNKNOWN
from provisioner.scenario import Ref, Resource, load_scenario
from provisioner.state import DeploymentState, ResourceState

SCENARIO = """\
scenario: demo
resources:
  rg:
    kind: resource_group
    name: demo-rg
    location: westus
  kv:
    kind: key_vault
    name: demo-kv-123
    resource_group: ${rg.name}
  secret:
    kind: key_vault_secret
    name: from-env
    vault: ${kv.id}
    value: ${env.APP_SECRET}
  generated:
    kind: key_vault_secret
    name: generated
    vault: ${kv.id}
    value: {generate: {length: 20}}
"""


def load(tmp_path: Path) -> dict[str, Resource]:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    return dict(load_scenario(path, env={"APP_SECRET": "s3cret-value"}).resources)


def test_references_resolve_from_known_exports_and_unknown_otherwise(tmp_path: Path) -> None:
    resources = load(tmp_path)
    kv = resources["kv"]
    exports = Exports({"rg": {"id": "/subscriptions/s/resourceGroups/demo-rg", "name": "demo-rg"}})
    desired = build_desired(kv, exports.lookup, tags={"t": "v"})
    assert desired.values["resource_group"] == "demo-rg"
    assert desired.values["name"] == "demo-kv-123"
    assert desired.tags == {"t": "v"}
    assert exports.lookup(Ref("kv", ("id",))) is UNKNOWN


def test_secrets_are_apart_from_values_and_generated_only_on_create(tmp_path: Path) -> None:
    resources = load(tmp_path)
    from_env, generated = resources["secret"], resources["generated"]
    lookup = Exports({}).lookup
    desired = build_desired(from_env, lookup, tags={}, secret_values=resolved_secrets(from_env, generate=False))
    assert "value" not in desired.values
    assert desired.secrets == {"value": "s3cret-value"}
    assert resolved_secrets(generated, generate=False) == {}
    made = resolved_secrets(generated, generate=True)
    assert len(made["value"]) == 20


def test_generated_secrets_have_every_character_class() -> None:
    for _ in range(50):
        value = generate_secret(12)
        assert any(c.islower() for c in value) and any(c.isupper() for c in value)
        assert any(c.isdigit() for c in value) and any(not c.isalnum() for c in value)


def test_predicted_exports_use_what_the_scenario_sets() -> None:
    predicted = predicted_exports("resource_group", {"name": "demo-rg", "location": "westus"})
    assert predicted == {"id": UNKNOWN, "name": "demo-rg", "location": "westus"}


def test_destroy_runs_in_reverse_dependency_order_and_only_deletes_what_provision_created() -> None:
    state = DeploymentState(deployment="demo", scenario="demo")
    state.resources = {
        "rg": ResourceState("rg", "resource_group", azure_id="/rg", created_by_us=True),
        "vm": ResourceState("vm", "virtual_machine", azure_id="/vm", created_by_us=True, depends_on=["rg"]),
        "ra": ResourceState("ra", "role_assignment", azure_id="/ra", created_by_us=True, depends_on=["vm", "rg"]),
        "shared": ResourceState("shared", "resource_group", azure_id="/shared"),
        "admin": ResourceState(
            "admin", "sql_entra_admin", azure_id="/admin", prior={"login": "old"}, depends_on=["vm"]
        ),
    }
    assert destroy_graph(state)["rg"] == {"vm", "ra"}
    plan = plan_destroy(state, {"name": "local"})
    order = [change.address for change in plan.changes]
    assert order.index("ra") < order.index("vm") < order.index("rg")
    assert order.index("admin") < order.index("vm")
    actions = {change.address: change.action for change in plan.changes}
    assert actions == {
        "rg": Action.DELETE,
        "vm": Action.DELETE,
        "ra": Action.DELETE,
        "shared": Action.NO_OP,
        "admin": Action.UPDATE,
    }
    assert plan.summary.destroy == 3
