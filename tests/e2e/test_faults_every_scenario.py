"""Every shipped scenario applies on the first try under throttling, server errors, and Entra ID
replication and RBAC propagation delays (issue #10): the tool waits for what it created itself,
whatever attribute refers to it, and converges without a re-run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, Cloud

pytestmark = pytest.mark.e2e
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
SEED = 20261203


def options(prefix: str) -> list[str]:
    return ["--var", f"prefix={prefix}", "--deployment", prefix]


@pytest.fixture
def faults(cloud: Cloud) -> Iterator[Cloud]:
    yield cloud
    cloud.clear_faults()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_scenario_converges_on_the_first_apply_under_faults(faults: Cloud, prefix: str, scenario: Path) -> None:
    faults.faults(throttle_rate=0.1, error_rate=0.05, replication_delay=3, rbac_delay=2, seed=SEED)
    applied = faults.run("apply", str(scenario), *options(prefix), "--auto-approve")
    faults.clear_faults()
    assert applied.code == 0, applied.text

    plan = faults.run("plan", str(scenario), *options(prefix), "--detailed-exitcode")
    assert plan.code == 0, plan.text
    destroyed = faults.run("destroy", str(scenario), *options(prefix), "--auto-approve")
    assert destroyed.code == 0, destroyed.text
