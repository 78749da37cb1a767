"""Faults: throttling, server errors and replication delay; applies killed with SIGKILL at random
points; two applies of one deployment at once. Each ends converged, nothing duplicated or orphaned."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioner.azure.clients import Clients
from provisioner.state import StateStore
from tests.e2e.checks import resources_named, role_assignments
from tests.e2e.conftest import BLOB_SCENARIO, TUTORIAL, Cloud

pytestmark = pytest.mark.e2e
KILL_TRIALS = 3
SEED = 20240611


def options(prefix: str) -> list[str]:
    return ["--var", f"prefix={prefix}", "--deployment", prefix]


@pytest.fixture
def faults(cloud: Cloud) -> Iterator[Cloud]:
    yield cloud
    cloud.clear_faults()


def converged(cloud: Cloud, sdk: Clients, prefix: str) -> str:
    """The deployment matches the scenario, with exactly one role assignment; returns the principal."""
    plan = cloud.run("plan", str(TUTORIAL), *options(prefix), "--detailed-exitcode")
    assert plan.code == 0, plan.text
    principal = cloud.run("output", "principal_id", "--deployment", prefix).out.strip()
    assert len(role_assignments(sdk, principal)) == 1
    names = resources_named(sdk, prefix)
    assert len(names) == len({name.lower() for name in names})
    return principal


def destroyed(cloud: Cloud, sdk: Clients, prefix: str, principal: str) -> None:
    outcome = cloud.run("destroy", str(TUTORIAL), *options(prefix), "--auto-approve")
    assert outcome.code == 0, outcome.text
    assert resources_named(sdk, prefix) == []
    assert role_assignments(sdk, principal) == []


def test_apply_converges_under_throttling_errors_and_replication_delay(
    faults: Cloud, sdk: Clients, prefix: str
) -> None:
    faults.faults(throttle_rate=0.1, error_rate=0.05, replication_delay=5, seed=SEED)
    applied = faults.run("apply", str(TUTORIAL), *options(prefix), "--auto-approve")
    faults.clear_faults()
    assert applied.code == 0, applied.text
    principal = converged(faults, sdk, prefix)
    destroyed(faults, sdk, prefix, principal)


def test_a_blob_upload_waits_for_rbac_to_apply_the_data_role_granted_in_the_same_apply(faults: Cloud) -> None:
    faults.faults(rbac_delay=3)
    impatient, waited = "i" + uuid.uuid4().hex[:6], "w" + uuid.uuid4().hex[:6]
    failed = faults.run("apply", str(BLOB_SCENARIO), *options(impatient), "--auto-approve", "--principal-wait", "1")
    assert failed.code == 1, failed.text
    assert "AuthorizationPermissionMismatch" in failed.text and "Azure RBAC propagation" in failed.text

    # Waits for its own grant, made after the impatient one's: both are in effect for the destroys.
    applied = faults.run("apply", str(BLOB_SCENARIO), *options(waited), "--auto-approve")
    assert applied.code == 0, applied.text
    assert "Azure RBAC takes time" in applied.text

    for prefix in (impatient, waited):
        outcome = faults.run("destroy", str(BLOB_SCENARIO), *options(prefix), "--auto-approve")
        assert outcome.code == 0, outcome.text


def wait_for_writes(cloud: Cloud, mark: int, writes: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if cloud.since(mark)["writes"] >= writes:
            return
        time.sleep(0.02)


@pytest.mark.parametrize("trial", range(KILL_TRIALS))
def test_apply_killed_at_a_random_point_reruns_to_convergence(
    faults: Cloud, sdk: Clients, prefix: str, trial: int
) -> None:
    chance = random.Random(SEED + trial)
    faults.faults(latency_ms=20)
    mark = faults.mark()
    process = faults.spawn("apply", str(TUTORIAL), *options(prefix), "--auto-approve")
    wait_for_writes(faults, mark, chance.randint(1, 5), process)
    time.sleep(chance.uniform(0, 0.15))
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    faults.clear_faults()

    rerun = faults.run("apply", str(TUTORIAL), *options(prefix), "--auto-approve")
    assert rerun.code == 0, rerun.text
    principal = converged(faults, sdk, prefix)
    destroyed(faults, sdk, prefix, principal)


def wait_for_lock_holder(lock: Path, process: subprocess.Popen[str]) -> None:
    """Until `process` holds the lock: its file records the holder (it exists empty an instant before)."""
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip()):
        assert process.poll() is None, "apply ended before taking the lock"
        assert time.monotonic() < deadline, "apply never took the lock"
        time.sleep(0.01)


def test_two_applies_of_one_deployment_one_fails_on_the_lock(faults: Cloud, sdk: Clients, prefix: str) -> None:
    faults.faults(latency_ms=100)
    second = faults.spawn("apply", str(TUTORIAL), *options(prefix), "--auto-approve", gated=True)
    assert second.stdout is not None and second.stdin is not None
    assert second.stdout.readline().strip() == "ready"  # imported: it will reach the lock at once
    first = faults.spawn("apply", str(TUTORIAL), *options(prefix), "--auto-approve")
    lock = faults.state_dir / f"{prefix}.lock"
    wait_for_lock_holder(lock, first)
    second.stdin.write("go\n")
    second.stdin.flush()
    second_output, _ = second.communicate(timeout=120)
    first_output, _ = first.communicate(timeout=120)
    faults.clear_faults()

    assert first.returncode == 0, first_output
    assert second.returncode == 1, second_output
    assert f"is locked by pid {first.pid} " in second_output
    state = StateStore(faults.state_dir).load(prefix)
    assert state is not None and len(state.resources) == 5
    json.loads((faults.state_dir / f"{prefix}.json").read_text())
    assert not lock.exists()
    principal = converged(faults, sdk, prefix)
    destroyed(faults, sdk, prefix, principal)


def test_sigkill_leaves_a_stale_lock_that_the_next_apply_takes_over(faults: Cloud, prefix: str) -> None:
    faults.faults(latency_ms=30)
    process = faults.spawn("apply", str(TUTORIAL), *options(prefix), "--auto-approve")
    lock = faults.state_dir / f"{prefix}.lock"
    wait_for_lock_holder(lock, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    faults.clear_faults()
    assert lock.exists()
    rerun = faults.run("apply", str(TUTORIAL), *options(prefix), "--auto-approve")
    assert rerun.code == 0, rerun.text
    assert f"Took over a stale lock of pid {process.pid}" in rerun.err
    assert faults.run("destroy", str(TUTORIAL), *options(prefix), "--auto-approve").code == 0
