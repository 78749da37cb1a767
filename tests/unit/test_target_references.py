"""`${target.*}`: the principal provision signs in as, its tenant and subscription; known when a run
signs in, never a dependency, resolved by the planner from the target's clients."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from provisioner.plan.desired import Exports, TargetExports, build_desired, with_target
from provisioner.scenario import Ref, Template
from tests.unit.conftest import Diagnose, Write, load_text

OFFICER = """\
scenario: t
variables:
  prefix: demo
resources:
  rg:
    kind: resource_group
    name: ${var.prefix}-rg
    location: westus
  kv:
    kind: key_vault
    resource_group: ${rg.name}
    name: ${var.prefix}-kv
    rbac_authorization: true
  officer:
    kind: role_assignment
    scope: ${kv.id}
    role: Key Vault Secrets Officer
    principal: ${target.principal_id}
  everywhere:
    kind: role_assignment
    scope: /subscriptions/${target.subscription_id}
    role: Reader
    principal: ${target.principal_id}
outputs:
  operator: ${target.principal_id}
  tenant: ${target.tenant_id}
"""


@dataclass
class SignedIn:
    """What a target's clients know of the run's sign-in (`CloudClients` in part), counting asks."""

    tenant_id: str = "tenant-1"
    subscription_id: str = "sub-1"
    asked: list[str] = field(default_factory=list)

    @property
    def principal_id(self) -> str:
        self.asked.append("principal_id")
        return "11111111-2222-3333-4444-555555555555"


def test_target_references_stay_symbolic_and_are_no_dependency(write: Write) -> None:
    scenario = load_text(write, OFFICER)
    officer = scenario.resources["officer"]
    assert officer.spec.principal == Ref("target", ("principal_id",))  # type: ignore[attr-defined]
    assert officer.spec.principal_type is None  # type: ignore[attr-defined]  # Azure knows whoever signs in
    assert officer.depends_on == {"kv"}
    assert scenario.resources["everywhere"].depends_on == set()
    assert scenario.resources["everywhere"].spec.scope == Template(  # type: ignore[attr-defined]
        ("/subscriptions/", Ref("target", ("subscription_id",)))
    )
    assert scenario.outputs["tenant"] == Ref("target", ("tenant_id",))


def desired_values(write: Write, name: str, signed_in: SignedIn) -> dict[str, object]:
    """The values the planner gives resource `name` of OFFICER, with the rg and vault already read."""
    resource = load_text(write, OFFICER).resources[name]
    table = with_target({"rg": {"name": "demo-rg"}, "kv": {"id": "/kv-id"}}, signed_in)  # type: ignore[arg-type]
    return dict(build_desired(resource, Exports(table).lookup, tags={}).values)


def test_the_planner_resolves_them_from_the_target(write: Write) -> None:
    values = desired_values(write, "everywhere", SignedIn())
    assert values["scope"] == "/subscriptions/sub-1"
    assert values["principal"] == "11111111-2222-3333-4444-555555555555"
    assert dict(TargetExports(SignedIn())) == {  # type: ignore[arg-type]
        "principal_id": "11111111-2222-3333-4444-555555555555",
        "tenant_id": "tenant-1",
        "subscription_id": "sub-1",
    }


def test_the_principal_is_asked_for_only_when_used(write: Write) -> None:
    signed_in = SignedIn()
    assert desired_values(write, "kv", signed_in)["resource_group"] == "demo-rg"
    assert signed_in.asked == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("principal: ${target.principal_id}\n  everywhere", "principal: ${target.object_id}\n  everywhere"),
            "s.yaml:18:16: error: unknown reference ${target.object_id}: the target offers "
            "${target.principal_id}, ${target.tenant_id}, ${target.subscription_id}",
        ),
        (
            ("principal: ${target.principal_id}\n  everywhere", "principal: ${target.tenant_id}\n  everywhere"),
            "s.yaml:18:16: error: 'principal' must be a principal's object id, and ${target.tenant_id} is not "
            "(use ${target.principal_id})",
        ),
        (
            ("prefix: demo", "prefix: ${target.tenant_id}"),
            "s.yaml:3:11: error: ${target.tenant_id}: the target cannot be referenced here, only ${var.*} and ${env.*}",
        ),
        (
            ("resource_group: ${rg.name}", "resource_group: ${target.subscription_id}"),
            "s.yaml:11:21: error: 'resource_group' must refer to resource_group.name, not ${target.subscription_id}",
        ),
        (
            ("  rg:\n", "  target:\n"),
            "s.yaml:5:3: error: invalid resource name 'target' "
            "(use letters, digits, '_' and '-', starting with a letter or '_'; not 'var', 'env' or 'target')",
        ),
    ],
    ids=["unknown-attribute", "not-a-principal", "in-a-variable", "in-a-linked-attribute", "reserved-name"],
)
def test_misuse_is_reported_where_it_is_written(diagnose: Diagnose, change: tuple[str, str], expected: str) -> None:
    assert expected in diagnose(OFFICER.replace(*change))


def test_a_check_cannot_act_as_the_target(diagnose: Diagnose) -> None:
    checks = "checks:\n  - identity: ${target.principal_id}\n    can: read\n    target: ${rg}\n"
    assert diagnose(OFFICER + checks)[0] == (
        "s.yaml:28:15: error: 'identity' must name a whole resource of the scenario, not ${target.principal_id}"
    )
