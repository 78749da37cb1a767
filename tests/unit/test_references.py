"""References: parsing `${...}`, the symbolic values they leave, and resolving them later."""

from __future__ import annotations

from typing import Any

import pytest

from provisioner.kinds.virtual_machine import VirtualMachineSpec
from provisioner.language.references import ReferenceSyntaxError, split_references
from provisioner.scenario import Ref, Template, load_scenario, references_in, resolve
from tests.unit.conftest import DATA, ENV, REPO, Write, load_text

TUTORIAL = REPO / "scenarios" / "vm-system-identity-arm.yaml"


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("plain", ["plain"]),
        ("${var.prefix}", [("var", "prefix")]),
        ("${var.prefix}-rg", [("var", "prefix"), "-rg"]),
        ("${vnet.id}/subnets/${var.subnet}", [("vnet", "id"), "/subnets/", ("var", "subnet")]),
        ("${vm.identity.principal_id}", [("vm", "identity", "principal_id")]),
        ("${vm}", [("vm",)]),
        ("cost: $$${var.price}", ["cost: $${var.price}"]),
        ("literal $${not.a.reference}", ["literal ${not.a.reference}"]),
        ("a $ b {c}", ["a $ b {c}"]),
    ],
)
def test_split_references(text: str, pieces: list[Any]) -> None:
    assert split_references(text) == pieces


@pytest.mark.parametrize("text", ["${}", "${a..b}", "${a.}", "${1a}", "${a b}", "x ${a.b", "${a.b${c}}"])
def test_malformed_references_are_refused(text: str) -> None:
    with pytest.raises(ReferenceSyntaxError):
        split_references(text)


def test_refs_and_templates_print_as_written() -> None:
    ref = Ref("vm", ("identity", "principal_id"))
    assert str(ref) == "${vm.identity.principal_id}"
    assert ref.dotted == "identity.principal_id"
    assert str(Ref("vm")) == "${vm}"
    assert str(Template((Ref("vnet", ("id",)), "/subnets/${x}"))) == "${vnet.id}/subnets/$${x}"


def test_resource_references_stay_symbolic(write: Write) -> None:
    scenario = load_scenario(DATA / "all_kinds.yaml", env=ENV)
    web = scenario.resources["web"].spec
    assert web.resource_group == Ref("rg", ("name",))  # type: ignore[attr-defined]
    assert web.app_settings == {  # type: ignore[attr-defined]
        "VAULT_URI": Ref("kv", ("vault_uri",)),
        "SECRET_URL": Template((Ref("kv", ("vault_uri",)), "secrets/", Ref("generated", ("name",)))),
    }
    assert scenario.outputs["greeting"] == "hello demo"
    assert references_in(web) == {
        Ref("rg", ("name",)),
        Ref("plan", ("id",)),
        Ref("kv", ("vault_uri",)),
        Ref("generated", ("name",)),
    }


def test_references_in_nested_values() -> None:
    value = {"a": [Ref("x", ("id",)), {"b": Template(("p-", Ref("y", ("name",))))}], "c": ("text", 3)}
    assert references_in(value) == {Ref("x", ("id",)), Ref("y", ("name",))}
    assert references_in("no references") == set()


def test_resolve_replaces_references_with_applied_outputs() -> None:
    vm = load_scenario(TUTORIAL).resources["vm"].spec
    outputs = {
        Ref("rg", ("name",)): "mi-arm-rg",
        Ref("nic", ("id",)): "/subscriptions/s/resourceGroups/mi-arm-rg/providers/Microsoft.Network/nic",
    }
    resolved = resolve(vm, outputs.__getitem__)
    assert isinstance(resolved, VirtualMachineSpec)
    assert resolved.resource_group == "mi-arm-rg"
    assert resolved.network_interfaces == [outputs[Ref("nic", ("id",))]]
    assert references_in(resolved) == set()
    assert references_in(vm) == set(outputs)  # the loaded spec itself is unchanged


def test_resolve_renders_templates() -> None:
    template = Template((Ref("vnet", ("id",)), "/subnets/default"))
    assert resolve([template, {"k": Ref("a")}], lambda ref: f"<{ref.resource}>") == [
        "<vnet>/subnets/default",
        {"k": "<a>"},
    ]


VARIABLE_TYPES = """\
scenario: types
variables:
  flag: true
  days: 30
  spaces: [10.0.0.0/16, 10.1.0.0/16]
  region: westus
resources:
  rg:
    kind: resource_group
    name: rg-${var.flag}-${var.days}
    location: ${var.region}
    tags:
      owner: ${env.OWNER}
  kv:
    kind: key_vault
    resource_group: ${rg.name}
    name: kv-types
    rbac_authorization: ${var.flag}
    soft_delete_retention_days: ${var.days}
  vnet:
    kind: virtual_network
    resource_group: ${rg.name}
    name: vnet
    address_space: ${var.spaces}
    subnets: [{name: a, address_prefix: 10.0.0.0/24}]
"""


def test_a_whole_string_reference_keeps_its_type(write: Write) -> None:
    scenario = load_text(write, VARIABLE_TYPES, env={"OWNER": "alice"})
    kv, vnet, rg = (scenario.resources[name].spec for name in ("kv", "vnet", "rg"))
    assert kv.rbac_authorization is True  # type: ignore[attr-defined]
    assert kv.soft_delete_retention_days == 30  # type: ignore[attr-defined]
    assert vnet.address_space == ["10.0.0.0/16", "10.1.0.0/16"]  # type: ignore[attr-defined]
    assert rg.name == "rg-true-30"  # type: ignore[attr-defined]
    assert rg.tags == {"owner": "alice"}  # type: ignore[attr-defined]


def test_overrides_keep_the_type_of_the_default(write: Write) -> None:
    scenario = load_text(write, VARIABLE_TYPES, env={"OWNER": "bob"}, overrides={"flag": "false", "days": "7"})
    kv = scenario.resources["kv"].spec
    assert kv.rbac_authorization is False  # type: ignore[attr-defined]
    assert kv.soft_delete_retention_days == 7  # type: ignore[attr-defined]
    assert scenario.variables == {
        "flag": False,
        "days": 7,
        "spaces": ["10.0.0.0/16", "10.1.0.0/16"],
        "region": "westus",
    }
