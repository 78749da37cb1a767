"""A scenario with every kind through the CLI: apply, no-change plan, zero-write re-apply, drift
repaired, destroy leaves nothing but what existed before, destroy again is a no-op."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder

from provisioner.azure.clients import Clients
from provisioner.kinds import KINDS
from provisioner.scenario import load_scenario
from tests.e2e.checks import resources_named, role_assignments
from tests.e2e.conftest import DATA, Cloud

pytestmark = pytest.mark.e2e
SCENARIO = str(DATA / "all-kinds.yaml")
SECRET = "env-secret-value-for-all-kinds"
ENV = {"ALL_KINDS_SECRET": SECRET}
RESOURCES = 38  # in all-kinds.yaml, all 29 kinds


def options(cloud: Cloud, prefix: str) -> list[str]:
    operator = cloud.server.cloud.identity.operator_object_id
    return [
        "--var", f"prefix={prefix}",
        "--var", f"shared_group={prefix}-shared",
        "--var", f"operator_id={operator}",
        "--deployment", prefix,
    ]  # fmt: skip


def groups_named(sdk: Clients, name: str) -> list[Any]:
    async def find(msgraph: Any) -> list[Any]:
        query = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(filter=f"displayName eq '{name}'")
        found = await msgraph.groups.get(RequestConfiguration(query_parameters=query))
        return list(found.value or [])

    return sdk.run_msgraph(find)


def test_the_scenario_uses_every_kind() -> None:
    scenario = load_scenario(Path(SCENARIO), env=ENV)
    assert len(scenario.resources) == RESOURCES
    assert {resource.kind for resource in scenario.resources.values()} == set(KINDS)


def test_every_kind_applies_converges_and_goes(cloud: Cloud, sdk: Clients, prefix: str) -> None:
    shared = sdk.resources.resource_groups.create_or_update(f"{prefix}-shared", {"location": "westus"})
    args = options(cloud, prefix)

    applied = cloud.run("apply", SCENARIO, *args, "--auto-approve", env=ENV)
    assert applied.code == 0, applied.text
    assert ' <= resource_group "shared"' in applied.out and ' <= entra_user "alice"' in applied.out
    assert SECRET not in applied.text
    state_text = (cloud.state_dir / f"{prefix}.json").read_text()
    assert SECRET not in state_text

    unchanged = cloud.run("plan", SCENARIO, *args, "--detailed-exitcode", env=ENV)
    assert unchanged.code == 0, unchanged.text

    mark = cloud.mark()
    again = cloud.run("apply", SCENARIO, *args, "--auto-approve", env=ENV)
    counts = cloud.since(mark)
    assert again.code == 0, again.text
    assert counts["writes"] == 0 and counts["deletes"] == 0, counts["by_operation"]
    assert counts["reads"] <= RESOURCES, counts["by_operation"]  # batched: at most one read per resource

    rg_id = f"/subscriptions/{sdk.subscription_id}/resourceGroups/{prefix}-rg"
    (readers,) = groups_named(sdk, f"{prefix}-readers")
    (assignment,) = [a for a in role_assignments(sdk, readers.id) if a.scope.lower() == rg_id.lower()]
    sdk.authorization.role_assignments.delete_by_id(assignment.id)
    drift = cloud.run("plan", SCENARIO, *args, "--detailed-exitcode", env=ENV)
    assert drift.code == 2, drift.text
    assert '  + role_assignment "readers_read_rg" {' in drift.out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in drift.out
    assert cloud.run("apply", SCENARIO, *args, "--auto-approve", env=ENV).code == 0
    assert len(role_assignments(sdk, readers.id)) == 1

    destroyed = cloud.run("destroy", SCENARIO, *args, "--auto-approve", env=ENV)
    assert destroyed.code == 0, destroyed.text
    assert resources_named(sdk, prefix) == [shared.id]  # what existed before stays
    assert groups_named(sdk, f"{prefix}-readers") == []
    assert role_assignments(sdk, readers.id) == []
    twice = cloud.run("destroy", SCENARIO, *args, "--auto-approve", env=ENV)
    assert twice.code == 0 and "Nothing to destroy" in twice.out
