"""Faults (throttling, 5xx, latency) and the control API (request log, reset, status)."""

from __future__ import annotations

import urllib.error
from typing import Any

import pytest
from azure.core.rest import HttpRequest
from azure.mgmt.resource.resources import ResourceManagementClient

from provisioner.emulator.server import LocalCloudServer
from tests.control import control as _control
from tests.emulator import clients

READ_BURST = 250


def _no_retry_client(local_cloud: LocalCloudServer, credential: Any) -> ResourceManagementClient:
    return ResourceManagementClient(
        credential, local_cloud.cloud.identity.subscription_id, retry_total=0, **clients.mgmt_options(local_cloud)
    )


@pytest.fixture(autouse=True)
def no_faults(local_cloud: LocalCloudServer) -> Any:
    yield
    _control(
        local_cloud,
        "PUT",
        "/_cloud/faults",
        {"throttle": False, "throttle_rate": 0, "error_rate": 0, "latency_ms": 0, "seed": None},
    )


def test_read_bucket_throttles_with_retry_after(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    client = _no_retry_client(local_cloud, operator_credential)
    subscription = local_cloud.cloud.identity.subscription_id
    _control(local_cloud, "PUT", "/_cloud/faults", {"throttle": True})
    statuses = []
    for _ in range(READ_BURST * 6):
        response = client.send_request(
            HttpRequest("GET", f"/subscriptions/{subscription}/resourcegroups?api-version=2025-04-01")
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            throttled = response
            break
    assert statuses[-1] == 429, "the read bucket never ran out"
    assert len(statuses) > READ_BURST
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.headers["x-ms-ratelimit-remaining-subscription-reads"] == "0"
    assert throttled.json()["error"]["code"] == "TooManyRequests"


def test_random_faults_follow_the_configured_rates(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    client = _no_retry_client(local_cloud, operator_credential)
    subscription = local_cloud.cloud.identity.subscription_id
    _control(local_cloud, "PUT", "/_cloud/faults", {"throttle_rate": 0.2, "error_rate": 0.2, "seed": 7})
    statuses = [
        client.send_request(
            HttpRequest("GET", f"/subscriptions/{subscription}/resourcegroups?api-version=2025-04-01")
        ).status_code
        for _ in range(200)
    ]
    assert 20 <= statuses.count(429) <= 60
    assert 20 <= statuses.count(500) + statuses.count(503) <= 60
    assert statuses.count(200) + statuses.count(429) + statuses.count(500) + statuses.count(503) == 200


def test_the_sdk_retries_through_injected_faults(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    _control(local_cloud, "PUT", "/_cloud/faults", {"error_rate": 0.3, "seed": 3})
    arm = clients.resources(local_cloud, operator_credential)
    for index in range(5):
        arm.resource_groups.create_or_update(f"retried-{index}", {"location": "westus"})
    names = {group.name for group in arm.resource_groups.list()}
    assert {f"retried-{index}" for index in range(5)} <= names


def test_invalid_faults_are_refused(local_cloud: LocalCloudServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        _control(local_cloud, "PUT", "/_cloud/faults", {"error_rate": 2})
    assert refused.value.code == 400
    with pytest.raises(urllib.error.HTTPError):
        _control(local_cloud, "PUT", "/_cloud/faults", {"lightning": True})


def test_request_log_counts_reads_and_writes(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    arm = clients.resources(local_cloud, operator_credential)
    arm.resource_groups.create_or_update("logged", {"location": "westus"})
    mark = _control(local_cloud, "GET", "/_cloud/requests?records=false")["last"]
    arm.resource_groups.get("logged")
    arm.resource_groups.create_or_update("logged", {"location": "westus"})
    summary = _control(local_cloud, "GET", f"/_cloud/requests?since={mark}")
    assert (summary["reads"], summary["writes"], summary["deletes"]) == (1, 1, 0)
    assert summary["by_operation"] == {"GET get_resource_group": 1, "PUT create_resource_group": 1}
    assert [record["status"] for record in summary["records"]] == [200, 200]


def test_reset_and_status(tmp_path: Any) -> None:
    server = LocalCloudServer(tmp_path)
    server.start()
    try:
        credential = clients.StaticToken(
            server.cloud.tokens.issue(
                audience="https://management.azure.com/",
                object_id=server.cloud.identity.operator_object_id,
                app_id=server.cloud.identity.operator_client_id,
            ).token
        )
        clients.resources(server, credential).resource_groups.create_or_update("gone", {"location": "westus"})
        assert _control(server, "GET", "/_cloud/status")["resources"] >= 2
        _control(server, "POST", "/_cloud/reset")
        status = _control(server, "GET", "/_cloud/status")
        assert status["resources"] == 1  # only the operator's Owner assignment, seeded again
        assert status["subscription_id"] == server.cloud.identity.subscription_id
        assert status["directory_objects"] == 4  # operator, two seeded users, Microsoft Graph's service principal
    finally:
        server.stop()
