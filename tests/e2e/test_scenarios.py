"""Every tutorial scenario of scenarios/, end to end through the CLI on one local cloud: validate;
apply; verify passes; re-apply writes nothing; destroy; verify fails where the access is gone;
nothing is left behind (resource groups, role assignments, groups, identities' service principals,
PostgreSQL clusters and their processes).

Each scenario runs under its own prefix and deployment, so all of them share the module's cloud.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provisioner.azure.clients import Clients
from provisioner.scenario import load_scenario
from tests.e2e.checks import (
    directory_objects_named,
    postgres_left,
    resource_group_names,
    resources_named,
    role_assignment_ids,
    role_assignments,
)
from tests.e2e.conftest import REPO, Cloud

pytestmark = pytest.mark.e2e
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
PRINCIPAL_OUTPUTS = ("principal_id", "group_id")  # outputs naming the principals a scenario grants to
DETAILS = {  # what verify says it did, where the scenario made what it proves
    "vm-system-identity-storage": {
        "vm can read container": "listed the container and downloaded blob 'hello.txt' (52 bytes)",
    },
}


def options(prefix: str) -> list[str]:
    return ["--var", f"prefix={prefix}", "--deployment", prefix]


def verified(cloud: Cloud, scenario: Path, prefix: str) -> tuple[int, list[dict[str, Any]]]:
    """`provision verify --json`: its exit code and the result of each check."""
    outcome = cloud.run("verify", str(scenario), *options(prefix), "--json")
    assert outcome.code in (0, 1), outcome.text
    return outcome.code, json.loads(outcome.out)["checks"]


def outputs(cloud: Cloud, prefix: str) -> dict[str, Any]:
    shown = cloud.run("output", "--json", "--deployment", prefix)
    assert shown.code == 0, shown.text
    values: dict[str, Any] = json.loads(shown.out)
    return values


def test_every_scenario_says_which_tutorial_it_follows() -> None:
    assert len(SCENARIOS) >= 11
    for path in SCENARIOS:
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=./scenario.schema.json\n"), path.name
        assert "# Tutorial: " in text and "https://learn.microsoft.com/" in text, path.name
        assert load_scenario(path, env={}).checks, path.name  # every scenario proves something


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_scenario_applies_verifies_converges_and_goes(cloud: Cloud, sdk: Clients, prefix: str, scenario: Path) -> None:
    groups_before, assignments_before = resource_group_names(sdk), role_assignment_ids(sdk)
    validated = cloud.run("validate", str(scenario), "--var", f"prefix={prefix}")
    assert validated.code == 0, validated.text

    applied = cloud.run("apply", str(scenario), *options(prefix), "--auto-approve")
    assert applied.code == 0, applied.text
    principals = [value for name, value in outputs(cloud, prefix).items() if name in PRINCIPAL_OUTPUTS]
    assert principals

    code, checks = verified(cloud, scenario, prefix)
    assert code == 0, checks
    assert {check["result"] for check in checks} == {"pass"}
    assert DETAILS.get(scenario.stem, {}).items() <= {check["check"]: check["detail"] for check in checks}.items()

    mark = cloud.mark()
    again = cloud.run("apply", str(scenario), *options(prefix), "--auto-approve")
    counts = cloud.since(mark)
    assert again.code == 0, again.text
    assert counts["writes"] == 0 and counts["deletes"] == 0, counts["by_operation"]

    destroyed = cloud.run("destroy", str(scenario), *options(prefix), "--auto-approve")
    assert destroyed.code == 0, destroyed.text
    code, checks = verified(cloud, scenario, prefix)
    assert code == 1
    # The identities and what they were granted are gone: no check proves anything any more.
    assert [(check["check"], check["result"], check["actual"]) for check in checks] == [
        (check["check"], "fail", "not applied") for check in checks
    ]

    assert resources_named(sdk, prefix) == []
    assert resource_group_names(sdk) == groups_before
    assert role_assignment_ids(sdk) == assignments_before
    assert [role_assignments(sdk, principal) for principal in principals] == [[] for _ in principals]
    assert directory_objects_named(sdk, prefix) == []
    assert postgres_left(cloud.data_dir) == []  # no cluster directory or PostgreSQL process of a destroyed server
