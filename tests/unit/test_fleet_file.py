"""Fleet files: listed, generated and CSV members, templates, and every problem at file:line:col."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from provisioner.cli.fleet_progress import FleetLiveProgress
from provisioner.cli.main import main
from provisioner.engine.report import StepFailure
from provisioner.errors import ConfigurationError, ScenarioError
from provisioner.fleet import load_fleet
from provisioner.fleet.loader import fleet_schema
from provisioner.fleet.scenarios import load_scenarios
from provisioner.plan.model import Action

REPO = Path(__file__).parents[2]
SCENARIOS = REPO / "scenarios"
TUTORIAL = SCENARIOS / "vm-system-identity-arm.yaml"
USER_IDENTITY = SCENARIOS / "vm-user-identity-arm.yaml"


def write(folder: Path, text: str, name: str = "f.fleet.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def lab(folder: Path, rest: str) -> Path:
    """A fleet 'lab' of the first tutorial; `rest` says the members."""
    return write(folder, f"fleet: lab\nscenario: {TUTORIAL}\n" + rest)


def errors(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenarios(load_fleet(path))
    return [diagnostic.render() for diagnostic in caught.value.diagnostics]


def test_the_shipped_example_is_valid_and_each_member_gets_its_own_deployment() -> None:
    fleet = load_fleet(SCENARIOS / "fleets" / "class.fleet.yaml")
    loaded = load_scenarios(fleet)
    assert [one.deployment for one in loaded] == ["class-a-alice", "class-a-bob", "class-a-carol"]
    assert loaded[2].scenario.variables["vm_size"] == "Standard_B1s"
    assert loaded[0].scenario.variables["prefix"] == "alice"


def test_generated_members_fill_in_member_index_and_name(tmp_path: Path) -> None:
    members = "members:\n  count: 3\n  name: 'student-${member.index}'\n  vars: {prefix: 's${member.index}'}\n"
    path = lab(tmp_path, "deployment: '${member.name}-of-${fleet.name}'\n" + members)
    fleet = load_fleet(path)
    assert [(m.name, m.deployment, m.variables["prefix"]) for m in fleet.members] == [
        ("student-1", "student-1-of-lab", "s1"),
        ("student-2", "student-2-of-lab", "s2"),
        ("student-3", "student-3-of-lab", "s3"),
    ]
    assert [m.name for m in fleet.select(["student-3"]).members] == ["student-3"]
    with pytest.raises(ConfigurationError, match="no member 'student-4'"):
        fleet.select(["student-4"])


def test_a_member_may_deploy_a_scenario_of_its_own(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"fleet: two\nscenario: {TUTORIAL}\nmembers:\n  - {{name: a}}\n  - {{name: b, scenario: {USER_IDENTITY}}}\n",
    )
    names = [one.scenario.name for one in load_scenarios(load_fleet(path))]
    assert names == ["vm-system-identity-arm", "vm-user-identity-arm"]


def test_problems_of_the_fleet_file_are_reported_where_they_stand(tmp_path: Path) -> None:
    members = "  - {name: a}\n  - {name: a}\n  - {name: 'bad name'}\n  - {name: c, vars: {p: '${member.nam}'}}\n"
    path = lab(tmp_path, "vars: {prefx: x}\nmembers:\n" + members)
    found = errors(path)
    assert any(
        f"{path}:3:8: error: unknown variable 'prefx'" in line and "did you mean 'prefix'" in line for line in found
    )
    assert any(f"{path}:6:12: error: duplicate member 'a' (first at line 5)" in line for line in found)
    assert any(f"{path}:7:12: error: invalid member name 'bad name'" in line for line in found)
    assert any(f"{path}:8:22: error: unknown variable 'p'" in line for line in found)


def test_members_from_a_csv_file_and_its_problems(tmp_path: Path) -> None:
    write(tmp_path, "name,prefix\nann,an\nben\n,x\n", "students.csv")
    path = lab(tmp_path, "members_from: students.csv\n")
    found = errors(path)
    csv = tmp_path / "students.csv"
    assert f"{csv}:3:1: error: row has 1 cells, the header 2" in found
    assert f"{csv}:4:1: error: invalid member name ''" in [line.split(" (")[0] for line in found]
    write(tmp_path, "name,prefix,colour\nann,an,red\n", "students.csv")
    assert any(f"{csv}:1:13: error: unknown variable 'colour'" in line for line in errors(path))


def test_a_fleet_needs_exactly_one_way_of_naming_members_and_a_scenario_that_exists(tmp_path: Path) -> None:
    path = write(tmp_path, "fleet: lab\nscenario: missing.yaml\nmembers: [{name: a}]\nmembers_from: x.csv\n")
    found = errors(path)
    assert any("exactly one of 'members' and 'members_from'" in line for line in found)
    path = write(tmp_path, "fleet: lab\nscenario: missing.yaml\nmembers: [{name: a}]\n")
    assert any(
        f"{path}:2:11: error: scenario" in line and "relative to the fleet file" in line for line in errors(path)
    )


def test_a_members_scenario_error_names_the_member(tmp_path: Path) -> None:
    path = lab(tmp_path, "members: [{name: a, vars: {prefix: 'x y'}}]\n")
    assert any("member 'a': " in line for line in errors(path))


def test_the_schema_names_every_key_the_example_uses() -> None:
    schema = fleet_schema()
    example = yaml.safe_load((SCENARIOS / "fleets" / "class.fleet.yaml").read_text())
    assert schema["additionalProperties"] is False
    assert set(example) <= set(schema["properties"])
    assert {"fleet", "scenario"} <= set(schema["required"])


def test_the_live_view_has_a_line_per_member_and_only_the_busy_ones_past_a_screenful() -> None:
    console = Console(file=io.StringIO(), width=120, height=8, force_terminal=True)
    view = FleetLiveProgress(console, {f"m{index}": 2 for index in range(10)})
    view.started("m1/rg", Action.CREATE)
    view.finished("m1/rg", Action.CREATE, "created")
    view.started("m2/rg", Action.CREATE)
    view.failed("m3/rg", Action.CREATE, StepFailure("rg", Action.CREATE, "gone", 404, "ResourceGroupNotFound"))
    console.print(view._table())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "m2" in text and "m3" in text and "ResourceGroupNotFound" in text
    assert "m7" not in text  # idle members give way past a screenful
    assert "10 members: 1 steps done, 18 to go" in text and "more" in text
    roomy = Console(file=io.StringIO(), width=120, height=40, force_terminal=True)
    roomy.print(FleetLiveProgress(roomy, {f"m{index}": 2 for index in range(10)})._table())
    assert all(f"m{index}" in roomy.file.getvalue() for index in range(10))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args",
    [
        ["apply", str(TUTORIAL), "--fleet", "f.yaml"],
        ["apply", "--fleet", "f.yaml", "--var", "prefix=x"],
        ["plan", str(TUTORIAL), "--members", "a"],
        ["verify"],
    ],
)
def test_a_command_runs_one_scenario_or_one_fleet(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
