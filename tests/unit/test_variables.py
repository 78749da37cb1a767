"""Variables: defaults, --vars-file, --var, and ${env.X}, in that order of precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.conftest import REPO, Diagnose, Write, load_text

SCENARIO = """\
scenario: vars
variables:
  prefix: mi
  location: westus
  owner: ${env.USER_NAME}
  replicas: 2
  ratio: 0.5
  public: false
resources:
  rg:
    kind: resource_group
    name: ${var.prefix}-rg
    location: ${var.location}
"""


def test_defaults_apply(write: Write) -> None:
    scenario = load_text(write, SCENARIO, env={"USER_NAME": "alice"})
    assert scenario.variables == {
        "prefix": "mi",
        "location": "westus",
        "owner": "alice",
        "replicas": 2,
        "ratio": 0.5,
        "public": False,
    }
    assert scenario.resources["rg"].spec.name == "mi-rg"  # type: ignore[attr-defined]


def test_vars_file_overrides_defaults_and_var_overrides_both(write: Write) -> None:
    vars_file = write("prefix: from-file\nlocation: northeurope\nratio: 1\npublic: true\n", "vars.yaml")
    scenario = load_text(
        write, SCENARIO, env={"USER_NAME": "a"}, vars_file=vars_file, overrides={"prefix": "cli", "replicas": "5"}
    )
    assert scenario.variables["prefix"] == "cli"
    assert scenario.variables["location"] == "northeurope"
    assert scenario.variables["replicas"] == 5
    assert scenario.variables["ratio"] == 1
    assert scenario.variables["public"] is True
    assert scenario.resources["rg"].spec.location == "northeurope"  # type: ignore[attr-defined]


def test_vars_file_errors_stand_in_the_vars_file(write: Write, diagnose: Diagnose) -> None:
    vars_file = write("prefix: ok\nprefx: typo\nreplicas: many\n", "vars.yaml")
    assert diagnose(SCENARIO, vars_file=vars_file, env={"USER_NAME": "a"}) == [
        "vars.yaml:2:1: error: unknown variable 'prefx' (did you mean 'prefix'?)",
        "vars.yaml:3:11: error: variable 'replicas' is an integer, not a string",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("- a\n", "vars.yaml:1:1: error: a vars file must be a mapping of variable names to values"),
        ("prefix: [", "vars.yaml:1:10: error: invalid YAML: while parsing a flow node, expected the node "
         "content, but found '<stream end>'"),
    ],
)  # fmt: skip
def test_a_broken_vars_file_is_reported(write: Write, diagnose: Diagnose, content: str, expected: str) -> None:
    vars_file = write(content, "vars.yaml")
    assert diagnose(SCENARIO, vars_file=vars_file, env={"USER_NAME": "a"}) == [expected]


def test_a_missing_vars_file_is_reported(diagnose: Diagnose) -> None:
    assert diagnose(SCENARIO, vars_file=Path("absent.yaml"), env={"USER_NAME": "a"}) == [
        "absent.yaml:1:1: error: cannot read vars file: No such file or directory"
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("public", "yes", "s.yaml:2:1: error: --var public: variable 'public' is a boolean, not 'yes'"),
        ("replicas", "2.5", "s.yaml:2:1: error: --var replicas: variable 'replicas' is an integer, not '2.5'"),
        ("ratio", "half", "s.yaml:2:1: error: --var ratio: variable 'ratio' is a number, not 'half'"),
    ],
)
def test_overrides_must_fit_the_type_of_the_default(diagnose: Diagnose, name: str, text: str, expected: str) -> None:
    assert diagnose(SCENARIO, overrides={name: text}, env={"USER_NAME": "a"}) == [expected]


def test_environment_comes_from_the_mapping_given(diagnose: Diagnose) -> None:
    assert diagnose(SCENARIO, env={}) == ["s.yaml:5:10: error: environment variable 'USER_NAME' is not set"]


def test_environment_defaults_to_the_process_environment(write: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER_NAME", "from-os")
    from provisioner.scenario import load_scenario

    assert load_scenario(write(SCENARIO)).variables["owner"] == "from-os"


def test_a_variable_default_cannot_use_another_variable(diagnose: Diagnose) -> None:
    content = SCENARIO.replace("${env.USER_NAME}", "${var.prefix}")
    assert diagnose(content) == ["s.yaml:5:10: error: ${var.prefix}: a variable's default can only use ${env.*}"]


def test_variable_names_must_be_identifiers(diagnose: Diagnose) -> None:
    content = SCENARIO.replace("  ratio: 0.5", "  my-ratio: 0.5")
    assert diagnose(content, env={"USER_NAME": "a"}) == ["s.yaml:7:3: error: invalid variable name 'my-ratio'"]


def test_a_list_variable_cannot_be_part_of_a_string(diagnose: Diagnose) -> None:
    content = SCENARIO.replace("  prefix: mi", "  prefix: [a, b]")
    assert diagnose(content, env={"USER_NAME": "a"}) == [
        "s.yaml:12:11: error: a list or mapping cannot be part of a string"
    ]


def test_the_documented_variables_load_in_any_environment(write: Write) -> None:
    """docs/scenario-language.md's example of variables works wherever it is copied (no USER needed)."""
    doc = (REPO / "docs" / "scenario-language.md").read_text()
    example = doc.split("## Variables\n\n```yaml\n", 1)[1].split("```", 1)[0]
    content = "scenario: doc\n" + example + "resources:\n  rg:\n    kind: resource_group\n    name: rg\n"
    content += "    location: westus\n"
    scenario = load_text(write, content, env={}, overrides={"student": "alice"})
    assert scenario.variables["owner"] == "platform-team"
