"""The loaded scenario the engine consumes: resources, dependencies, inferred types, checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.errors import ScenarioError
from provisioner.kinds.key_vault_access_policy import KeyVaultAccessPolicySpec
from provisioner.kinds.role_assignment import RoleAssignmentSpec
from provisioner.scenario import Check, Ref, SourceLocation, load_scenario
from tests.unit.conftest import DATA, ENV, LONG_IDENTITY, REPO, Write, load_text

TUTORIAL = REPO / "scenarios" / "vm-system-identity-arm.yaml"


def test_the_tutorial_scenario_loads() -> None:
    scenario = load_scenario(TUTORIAL)
    assert scenario.name == "vm-system-identity-arm"
    assert scenario.path == TUTORIAL
    assert list(scenario.resources) == ["rg", "vnet", "nic", "vm", "reader"]
    assert {name: set(r.depends_on) for name, r in scenario.resources.items()} == {
        "rg": set(),
        "vnet": {"rg"},
        "nic": {"rg", "vnet"},
        "vm": {"rg", "nic"},
        "reader": {"rg", "vm"},
    }
    assert scenario.order() == ["rg", "vnet", "nic", "vm", "reader"]
    reader = scenario.resources["reader"]
    assert reader.kind == "role_assignment" and not reader.existing
    assert reader.location == SourceLocation(str(TUTORIAL), 56, 3)
    assert isinstance(reader.spec, RoleAssignmentSpec)
    assert reader.spec.principal_type == "ServicePrincipal"
    assert reader.spec.role_definition_guid == "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    assert scenario.outputs == {"principal_id": Ref("vm", ("identity", "principal_id"))}
    assert scenario.checks == [
        Check("vm", "read", "rg", None, SourceLocation(str(TUTORIAL), 66, 5)),
        Check("vm", "write", "rg", None, SourceLocation(str(TUTORIAL), 69, 5), expect_refusal=True),
    ]
    assert scenario.warnings == []


def test_every_kind_loads() -> None:
    scenario = load_scenario(DATA / "all_kinds.yaml", env=ENV)
    order = scenario.order()
    for name, resource in scenario.resources.items():
        assert all(order.index(dependency) < order.index(name) for dependency in resource.depends_on)
    assert scenario.resources["db_user"].depends_on == {"db", "vm", "sql_admin"}
    assert scenario.resources["shared"].existing
    assert scenario.resources["sql_admin"].spec.principal_type == "Group"  # type: ignore[attr-defined]
    assert scenario.resources["readers_read_rg"].spec.principal_type == "Group"  # type: ignore[attr-defined]
    assert [(c.title, c.expect_refusal) for c in scenario.checks] == [
        ("vm can read rg", False),
        ("uai can read container", False),
        ("vm via uai can read container", False),
        ("vm can sas_write container", False),
        ("web can read generated", False),
        ("vm can read db", False),
        ("web cannot read rg", True),  # `can: none` is `cannot: read`
        ("vm via uai cannot write container", True),
    ]


def test_a_vm_with_only_one_user_assigned_identity_acts_as_it(write: Write) -> None:
    content = (DATA / "all_kinds.yaml").read_text().replace("      system_assigned: true\n      user", "      user")
    content = content.replace("member: ${vm.identity.principal_id}", "member: ${uai.principal_id}")
    content = content.replace("principal: ${vm.identity.principal_id}", "principal: ${uai.principal_id}")
    scenario = load_text(write, content)
    assert scenario.checks[0] == Check("vm", "read", "rg", "uai", scenario.checks[0].location)


def test_principal_type_given_in_the_file_is_kept(write: Write) -> None:
    content = """\
    scenario: t
    resources:
      ra:
        kind: role_assignment
        scope: /subscriptions/00000000-0000-0000-0000-000000000000
        role: b24988ac-6180-42a0-ab88-20f7382dd24c
        principal: 11111111-2222-3333-4444-555555555555
        principal_type: ForeignGroup
    """
    spec = load_text(write, content).resources["ra"].spec
    assert spec.principal_type == "ForeignGroup"  # type: ignore[attr-defined]


def test_explicit_dependencies_order_resources(write: Write) -> None:
    content = """\
    scenario: t
    resources:
      second:
        kind: resource_group
        name: b
        location: westus
        depends_on: [first]
      first:
        kind: resource_group
        name: a
        location: westus
    """
    assert load_text(write, content).order() == ["first", "second"]


def test_an_existing_resource_is_read_not_created(write: Write) -> None:
    content = """\
    scenario: t
    resources:
      vm:
        kind: virtual_machine
        existing: true
        name: legacy-vm
        resource_group: legacy-rg
      reader:
        kind: role_assignment
        scope: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/legacy-rg
        role: Reader
        principal: ${vm.identity.principal_id}
    """
    scenario = load_text(write, content)
    vm = scenario.resources["vm"]
    assert vm.existing and vm.spec.name == "legacy-vm"  # type: ignore[attr-defined]
    assert scenario.resources["reader"].spec.principal_type == "ServicePrincipal"  # type: ignore[attr-defined]


def test_warnings_do_not_fail_the_load(write: Write) -> None:
    warnings = [w.render() for w in load_text(write, LONG_IDENTITY).warnings]
    assert warnings == [
        "s.yaml:11:11: warning: user-assigned identity name 'an-identity-name-longer-than-24' is longer "
        "than 24 characters: assigning it to a virtual machine fails"
    ]


def test_source_hash_follows_the_file_and_the_variables(write: Write) -> None:
    first = load_scenario(TUTORIAL).source_hash
    assert load_scenario(TUTORIAL).source_hash == first
    assert load_scenario(TUTORIAL, overrides={"prefix": "alice"}).source_hash != first
    copy = write(TUTORIAL.read_text() + "\n# a comment\n", "copy.yaml")
    assert load_scenario(copy).source_hash != first


def test_access_policy_templates_expand_to_permissions(write: Write) -> None:
    policy = load_scenario(DATA / "all_kinds.yaml", env=ENV).resources["web_reads_secrets"].spec
    assert isinstance(policy, KeyVaultAccessPolicySpec)
    assert policy.permissions() == {
        "secrets": ["get", "list", "set", "delete", "recover", "backup", "restore"],
        "keys": [],
        "certificates": [],
    }


def test_a_missing_scenario_file_is_a_scenario_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    with pytest.raises(ScenarioError) as failure:
        load_scenario(missing)
    assert str(failure.value) == f"{missing}:1:1: error: cannot read scenario: No such file or directory"
