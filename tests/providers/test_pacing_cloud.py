"""The pacer against the local cloud's token buckets (throttle on, tiny buckets): real SDK clients
send a burst of ARM writes and Graph writes from many threads; paced, the cloud answers no 429;
unpaced (and with no retries), it refuses some."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from provisioner.azure.clients import Clients, RetrySettings
from provisioner.azure.target import Target
from provisioner.emulator.server import LocalCloudServer
from provisioner.execution.pacing import Pacer, parse_pace
from tests.control import control

BURST, REFILL, WRITES = 12, 20, 40  # paced: 2 at once, then 20 per second (0.5 s of refill kept back)
NEAR_ZERO = 1  # 0 in every run but one of ~15 on a busy 2-core machine (docs/notes.md)


@pytest.fixture
def tiny_buckets(local_cloud: LocalCloudServer) -> Iterator[None]:
    faults = local_cloud.cloud.faults
    faults.update({"throttle": True, "writes_burst": BURST, "writes_refill": REFILL})
    faults.update({"graph_writes_burst": BURST, "graph_writes_refill": REFILL})
    yield
    faults.update({"throttle": False, "writes_burst": 200, "writes_refill": 10})
    faults.update({"graph_writes_burst": 3000, "graph_writes_refill": 20})


def burst(local_cloud: LocalCloudServer, clients: Clients, write: Callable[[Clients, int], Any]) -> dict[str, Any]:
    """WRITES writes from 8 threads at once, with fresh buckets on the cloud; the request log's counts."""
    local_cloud.cloud.faults.buckets.clear()
    mark = control(local_cloud, "GET", "/_cloud/requests?records=false")["last"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda number: _quietly(write, clients, number), range(WRITES)))
    return dict(control(local_cloud, "GET", f"/_cloud/requests?since={mark}&records=false"))


def _quietly(write: Callable[[Clients, int], Any], clients: Clients, number: int) -> None:
    with contextlib.suppress(Exception):  # unpaced and without retries, a refused write raises; the log counts it
        write(clients, number)


def group(clients: Clients, number: int) -> None:
    clients.resources.resource_groups.create_or_update(f"paced-{number}", {"location": "westus"})


def entra_group(clients: Clients, number: int) -> None:
    from msgraph.generated.models.group import Group

    body = Group(display_name=f"paced-{number}", mail_nickname=f"paced{uuid.uuid4().hex[:8]}")
    body.mail_enabled, body.security_enabled = False, True
    clients.run_msgraph(lambda msgraph: msgraph.groups.post(body))


def paced_clients(target: Target, pace: str) -> Clients:
    pacer = Pacer(parse_pace([pace]))
    return Clients(target, RetrySettings(total=0), pacer=pacer)


@pytest.mark.usefixtures("tiny_buckets")
def test_paced_arm_writes_meet_no_429_and_unpaced_ones_do(local_cloud: LocalCloudServer, target: Target) -> None:
    with paced_clients(target, f"arm-writes={REFILL}/s,{BURST}") as clients:
        paced = burst(local_cloud, clients, group)
        assert clients.pacer.stats.delayed > 0
    assert paced["writes"] == WRITES and paced["throttled"] <= NEAR_ZERO
    with paced_clients(target, "off") as clients:
        unpaced = burst(local_cloud, clients, group)
    assert unpaced["throttled"] > max(paced["throttled"], 1)


@pytest.mark.usefixtures("tiny_buckets")
def test_paced_graph_writes_meet_no_429_and_unpaced_ones_do(local_cloud: LocalCloudServer, target: Target) -> None:
    with paced_clients(target, f"graph-writes={REFILL}/s,{BURST}") as clients:
        paced = burst(local_cloud, clients, entra_group)
    assert paced["by_surface"].get("graph") == WRITES and paced["throttled"] <= NEAR_ZERO
    with paced_clients(target, "off") as clients:
        unpaced = burst(local_cloud, clients, entra_group)
    assert unpaced["throttled"] > max(paced["throttled"], 1)


@pytest.mark.usefixtures("tiny_buckets")
def test_the_pacer_follows_the_remaining_counts_azure_sends(local_cloud: LocalCloudServer, target: Target) -> None:
    """Another client has used the bucket: a pacer that believes in Azure's 200 writes learns from the
    first answer's x-ms-ratelimit-remaining-subscription-writes and waits from then on."""
    local_cloud.cloud.faults.buckets.clear()
    with paced_clients(target, "off") as other:
        for number in range(BURST - 1):
            group(other, number)
    with paced_clients(target, "on") as clients:
        mark = control(local_cloud, "GET", "/_cloud/requests?records=false")["last"]
        for number in range(8):
            group(clients, number)
        counts = control(local_cloud, "GET", f"/_cloud/requests?since={mark}&records=false")
        assert clients.pacer.stats.delayed >= 6
    assert counts["writes"] == 8 and counts["throttled"] <= NEAR_ZERO
