"""A fleet of 25 members of two tutorials on the local cloud with latency and ARM's throttling: one
member's resource group is deleted behind the tool's back while the fleet applies, so that member
fails and the other 24 converge; a re-apply fixes it, a re-plan is all no-ops, verify passes for
every member, and destroy leaves nothing."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import pytest
import yaml

from provisioner.azure.clients import Clients
from tests.e2e.checks import resources_named
from tests.e2e.conftest import REPO, TUTORIAL, Cloud

pytestmark = pytest.mark.e2e
USER_IDENTITY = REPO / "scenarios" / "vm-user-identity-arm.yaml"
MEMBERS = 25
VICTIM = "s7"


def fleet_file(folder: Path, tag: str) -> Path:
    """Members s1..s25: the first 13 deploy the first tutorial, the others the user-assigned identity's."""
    members = [
        {"name": f"s{index}", **({"scenario": str(USER_IDENTITY)} if index > 13 else {})}
        for index in range(1, MEMBERS + 1)
    ]
    document = {
        "fleet": tag,
        "scenario": str(TUTORIAL),
        "vars": {"prefix": tag + "${member.name}"},
        "members": members,
    }
    path = folder / "class.fleet.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def kill_when_created(sdk: Clients, group: str, done: threading.Event) -> None:
    """Delete the resource group as soon as it exists (the member's later steps then fail)."""
    groups = sdk.resources.resource_groups
    while not done.wait(0.01):
        if groups.check_existence(group):
            groups.begin_delete(group).result()
            done.set()


def test_a_fleet_converges_around_a_failed_member_then_verifies_and_destroys(
    cloud: Cloud, sdk: Clients, tmp_path: Path
) -> None:
    tag = "f" + uuid.uuid4().hex[:5]
    fleet = str(fleet_file(tmp_path, tag))
    # Each member's grant waits out replication (1 s), so the victim's group lives long enough to be killed.
    cloud.faults(latency_ms=5, throttle=True, replication_delay=1)
    killed = threading.Event()
    killer = threading.Thread(target=kill_when_created, args=(sdk, f"{tag}{VICTIM}-rg", killed))
    killer.start()
    try:
        applied = cloud.run("apply", "--fleet", fleet, "--auto-approve", "--json")
    finally:
        killed.set()
        killer.join(30)
    assert applied.code == 1, applied.text
    result = json.loads(applied.out)
    statuses = {member["member"]: member["status"] for member in result["members"]}
    assert statuses.pop(VICTIM) == "failed", applied.text
    assert set(statuses.values()) == {"ok"} and len(statuses) == MEMBERS - 1
    victim = next(member for member in result["members"] if member["member"] == VICTIM)
    assert victim["errors"] and victim["errors"][0]["code"], victim
    assert all(member["outputs"]["principal_id"] for member in result["members"] if member["member"] != VICTIM)

    cloud.faults(latency_ms=5, throttle=True, replication_delay=1)  # full buckets again
    again = cloud.run("apply", "--fleet", fleet, "--auto-approve")
    assert again.code == 0, again.text
    assert f"{VICTIM} (" in again.out and "Apply: 25 of 25 member(s) done." in again.out
    assert sum("Plan: 0 to add, 0 to change, 0 to destroy." in line for line in again.out.splitlines()) == 24

    cloud.clear_faults()
    replan = cloud.run("plan", "--fleet", fleet, "--detailed-exitcode")
    assert replan.code == 0, replan.text

    outputs = cloud.run("output", "--fleet", fleet, "--json")
    assert outputs.code == 0, outputs.text
    members = json.loads(outputs.out)["members"]
    assert len(members) == MEMBERS and all(member["outputs"]["principal_id"] for member in members.values())

    verified = cloud.run("verify", "--fleet", fleet, "--json")
    assert verified.code == 0, verified.text
    reports = json.loads(verified.out)["members"]
    assert len(reports) == MEMBERS
    assert all(check["result"] == "pass" for report in reports.values() for check in report["checks"])

    destroyed = cloud.run("destroy", "--fleet", fleet, "--auto-approve")
    assert destroyed.code == 0, destroyed.text
    assert "left behind" not in destroyed.text
    assert resources_named(sdk, tag) == []
    drift = cloud.run("plan", "--fleet", fleet, "--members", VICTIM, "--detailed-exitcode")
    assert drift.code == 2 and "Plan: 5 to add" in drift.out, drift.text
