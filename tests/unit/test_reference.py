"""docs/scenario-language.md's generated regions: current, complete, and derived from the kind registry."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from provisioner.kinds import KINDS
from provisioner.kinds.base import KindInfo
from provisioner.kinds.virtual_machine import VirtualMachineSpec
from provisioner.scenario import reference

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = REPO / "docs" / "scenario-language.md"
ALL = [pytest.param(kind, id=name) for name, kind in KINDS.items()]


def section(name: str) -> str:
    text = DOCUMENT.read_text()
    start = text.index(f"\n### {name}\n")
    end = text.find("\n### ", start + 1)
    return text[start:end]


def test_the_committed_reference_is_current() -> None:
    text = DOCUMENT.read_text()
    assert reference.regenerate(text) == text, f"regenerate it: {reference.COMMAND}"


@pytest.mark.parametrize("kind", ALL)
def test_every_attribute_of_every_kind_has_a_description(kind: KindInfo[Any]) -> None:
    undocumented = [item.shown for item in reference.attributes(kind) if not (item.field.description or "").strip()]
    assert undocumented == [], f"give these attributes of {kind.name} a Field(description=...)"
    assert (kind.spec.__doc__ or "").strip(), f"give {kind.spec.__name__} a docstring"


@pytest.mark.parametrize("kind", ALL)
def test_every_kind_has_a_section_with_every_attribute_and_export(kind: KindInfo[Any]) -> None:
    text = section(kind.name)
    for item in reference.attributes(kind):
        assert re.search(rf"^\| `{re.escape(item.shown)}` \|", text, re.MULTILINE), item.shown
    for export in kind.exports:
        assert f"`{export}`" in text
    for ability in kind.check_target.abilities if kind.check_target else ():
        assert f"- `{ability}`: " in text


def test_a_section_says_what_the_declarations_say() -> None:
    vm = section("virtual_machine")
    assert "| `size` | create | text | VM size, e.g. `Standard_B2s`. |" in vm
    assert "| `admin_password` |  | secret: `${env.NAME}` or `{generate: {length: N}}` |" in vm
    assert "| `identity.user_assigned` |  | list of text or reference |" in vm
    assert "Refers to `user_assigned_identity.id`." in vm
    assert "(`identity.principal_id` and `identity.tenant_id` only with identity.system_assigned: true)" in vm
    assert "| `soft_delete_retention_days` |  | integer from 7 to 90, default `90` |" in section("key_vault")
    storage = section("storage_account")
    assert "| `name` | lookup | text | The resource's name in Azure. Use 3-24 lowercase letters and digits." in storage
    assert "- `read`: read the storage account through ARM" in storage
    assert "| `sku` |  | one of `F1`, `B1` (default), `B2`" in section("app_service_plan")
    assert "Provision never creates an entra_user: it needs `existing: true`." in section("entra_user")
    assert "`PYTHON\\|3.12`" in section("web_app")  # a pipe inside a table cell is escaped


def test_the_principals_table_follows_the_principal_exports() -> None:
    table = reference.principals_region(KINDS)
    assert (
        "| `identity.principal_id` of a [virtual_machine](#virtual_machine) or [web_app](#web_app) "
        "| `ServicePrincipal` |"
    ) in table
    assert "| `id` or `object_id` of an [entra_user](#entra_user) (existing) | `User` |" in table
    assert "A [sql_entra_admin](#sql_entra_admin) calls a `ServicePrincipal` `Application`." in table


def test_a_kind_added_to_the_registry_gets_its_section() -> None:
    kinds = {**KINDS, "extra_vm": KindInfo(name="extra_vm", spec=VirtualMachineSpec, exports={}, lookup=("name",))}
    assert "\n### extra_vm\n" in reference.kinds_region(kinds)
    assert "[extra_vm](#extra_vm)" in reference.kinds_region(kinds).splitlines()[0]


def test_the_check_reports_a_stale_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "doc.md"
    stale.write_text(DOCUMENT.read_text().replace("| `size` | create |", "| `size` | lookup |"))
    assert reference.main(["--document", str(stale)]) == 1
    assert capsys.readouterr().err == f"{stale} is out of date: run {reference.COMMAND}\n"
    assert reference.main(["--document", str(stale), "--write"]) == 0
    assert stale.read_text() == DOCUMENT.read_text()
    assert reference.main(["--document", str(stale)]) == 0


def test_a_document_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match=r"exactly one <!-- kinds:begin --> \.\.\. <!-- kinds:end --> region"):
        reference.regenerate("# no generated regions\n")
