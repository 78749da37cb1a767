"""`provision validate`, `schema` and `graph`, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from provisioner.cli.main import main
from provisioner.kinds import KINDS
from tests.unit.conftest import LONG_IDENTITY, REPO, Write

TUTORIAL = REPO / "scenarios" / "vm-system-identity-arm.yaml"
SCHEMA = REPO / "scenarios" / "scenario.schema.json"
BROKEN = """\
scenario: broken
resources:
  rg:
    kind: resource_grup
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    output = capsys.readouterr()
    return int(exit_info.value.code or 0), output.out, output.err


def test_validate_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "validate", str(TUTORIAL)) == (
        0,
        f"{TUTORIAL}: scenario 'vm-system-identity-arm' is valid\n"
        "  5 resources: 1 resource_group, 1 virtual_network, 1 network_interface, 1 virtual_machine, "
        "1 role_assignment\n"
        "  2 checks\n"
        "    vm can read rg\n"
        "    vm cannot write rg\n",
        "",
    )


def test_validate_reports_every_file_and_exits_2(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(BROKEN, "broken.yaml")
    code, out, err = run(capsys, "validate", "broken.yaml", str(TUTORIAL), "absent.yaml")
    assert code == 2
    assert out.startswith(f"{TUTORIAL}: scenario 'vm-system-identity-arm' is valid\n")
    assert err == (
        "broken.yaml:4:11: error: unknown kind 'resource_grup' (did you mean 'resource_group'?)\n"
        "absent.yaml:1:1: error: cannot read scenario: No such file or directory\n"
    )


def test_warnings_are_printed_but_do_not_fail(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(LONG_IDENTITY)
    code, out, err = run(capsys, "validate", "s.yaml")
    assert code == 0
    assert "scenario 'warned' is valid" in out
    assert err == (
        "s.yaml:11:11: warning: user-assigned identity name 'an-identity-name-longer-than-24' is longer "
        "than 24 characters: assigning it to a virtual machine fails\n"
    )


def test_validate_takes_variables(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    vars_file = write("location: northeurope\n", "vars.yaml")
    code, _, err = run(capsys, "validate", str(TUTORIAL), "--var", "prefix=alice", "--vars-file", str(vars_file))
    assert (code, err) == (0, "")
    code, _, err = run(capsys, "validate", str(TUTORIAL), "--var", "prefix=a-much-too-long-prefix")
    assert code == 2
    assert "Windows VM name 'a-much-too-long-prefix-vm' is longer than 15 characters" in err


def test_a_malformed_var_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(TUTORIAL), "--var", "prefix")
    assert code == 2
    assert "expected NAME=VALUE, got 'prefix'" in err


def test_the_committed_schema_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    assert out == SCHEMA.read_text(), "regenerate it: provision schema > scenarios/scenario.schema.json"


def test_the_schema_discriminates_resources_by_kind(capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads(run(capsys, "schema")[1])
    resources = schema["properties"]["resources"]["additionalProperties"]
    assert resources["discriminator"]["propertyName"] == "kind"
    assert len(resources["oneOf"]) == len(KINDS)
    vm = schema["$defs"]["VirtualMachineResource"]
    assert vm["properties"]["kind"]["const"] == "virtual_machine"
    assert vm["additionalProperties"] is False
    assert schema["required"] == ["scenario", "resources"]


def test_every_scenario_names_the_schema_and_validates(capsys: pytest.CaptureFixture[str]) -> None:
    scenarios = sorted((REPO / "scenarios").glob("*.yaml"))
    assert scenarios
    for path in scenarios:
        assert path.read_text().startswith("# yaml-language-server: $schema=./scenario.schema.json\n")
    assert run(capsys, "validate", *map(str, scenarios))[0] == 0


def test_graph_in_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "graph", str(TUTORIAL)) == (
        0,
        "flowchart LR\n"
        '    r0["rg<br/>resource_group"]\n'
        '    r1["vnet<br/>virtual_network"]\n'
        '    r2["nic<br/>network_interface"]\n'
        '    r3["vm<br/>virtual_machine"]\n'
        '    r4["reader<br/>role_assignment"]\n'
        "    r0 --> r1\n"
        "    r0 --> r2\n"
        "    r1 --> r2\n"
        "    r2 --> r3\n"
        "    r0 --> r3\n"
        "    r0 --> r4\n"
        "    r3 --> r4\n",
        "",
    )


def test_graph_in_dot_draws_existing_resources_dashed(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(LONG_IDENTITY)
    assert run(capsys, "graph", "s.yaml", "--format", "dot")[1] == (
        'digraph "warned" {\n'
        "    rankdir=LR;\n"
        "    node [shape=box];\n"
        '    "rg" [label="rg\\nresource_group"];\n'
        '    "uai" [label="uai\\nuser_assigned_identity", style=dashed];\n'
        '    "rg" -> "uai";\n'
        "}\n"
    )


def test_graph_of_a_bad_scenario_exits_2(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(BROKEN)
    assert run(capsys, "graph", "s.yaml") == (
        2,
        "",
        "s.yaml:4:11: error: unknown kind 'resource_grup' (did you mean 'resource_group'?)\n",
    )


def test_the_console_script(tmp_path: Path) -> None:
    provision = Path(sys.executable).with_name("provision")
    result = subprocess.run([str(provision), "validate", str(TUTORIAL)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert "is valid" in result.stdout
