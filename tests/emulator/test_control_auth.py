"""The control API (`/_cloud/...`) answers only the operator: its ARM token or the control key of cloud.json."""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provisioner.emulator import control as control_api
from provisioner.emulator.core.config import IDENTITY_FILE
from provisioner.emulator.server import LocalCloudServer
from tests.control import control, control_headers
from tests.emulator import builders, clients, helpers_web

GROUP = "control-auth-rg"
CONTROL_ROUTES = sorted({(route.method, route.template) for route in control_api.routes.routes})


@pytest.fixture
def http(local_cloud: LocalCloudServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=local_cloud.url, verify=ssl.create_default_context(cafile=str(local_cloud.ca_cert)), timeout=30
    ) as client:
        yield client


def _assert_refused(answer: httpx.Response, *secrets: str) -> None:
    assert answer.status_code == 401, answer.text
    error = answer.json()["error"]
    assert error["code"] == "Unauthorized"
    assert "operator" in error["message"]
    for secret in secrets:
        assert secret not in answer.text


@pytest.mark.parametrize(("method", "path"), CONTROL_ROUTES)
def test_every_control_route_refuses_a_caller_without_the_operators_credential(
    local_cloud: LocalCloudServer, http: httpx.Client, method: str, path: str
) -> None:
    key = local_cloud.cloud.identity.control_key
    _assert_refused(http.request(method, path), key)
    _assert_refused(http.request(method, path, headers={"X-Control-Key": "guessed"}), key, "guessed")
    _assert_refused(http.request(method, path, headers={"Authorization": "Bearer not-a-token"}), key)


def test_a_web_apps_identity_secret_is_not_handed_to_anyone(
    local_cloud: LocalCloudServer, operator_credential: Any, http: httpx.Client
) -> None:
    builders.group_with_subnet(local_cloud, operator_credential, GROUP)
    plan = helpers_web.plan(local_cloud, operator_credential, GROUP, "control-plan")
    site = helpers_web.site(local_cloud, operator_credential, GROUP, "control-app", plan.id, {"type": "SystemAssigned"})
    secret = helpers_web.identity_environment(local_cloud, site.id)["IDENTITY_HEADER"]

    _assert_refused(http.get("/_cloud/web-app-identity-endpoint", params={"id": site.id}), secret)


def test_a_refused_reset_or_fault_changes_nothing(
    local_cloud: LocalCloudServer, operator_credential: Any, http: httpx.Client
) -> None:
    arm = clients.resources(local_cloud, operator_credential)
    arm.resource_groups.create_or_update("survives-reset", {"location": "westus"})

    _assert_refused(http.post("/_cloud/reset"))
    _assert_refused(http.put("/_cloud/faults", json={"error_rate": 1}))

    assert arm.resource_groups.get("survives-reset").name == "survives-reset"
    assert control(local_cloud, "GET", "/_cloud/faults")["error_rate"] == 0


def test_the_operators_token_is_accepted_and_another_principals_is_not(
    local_cloud: LocalCloudServer, operator_credential: Any, http: httpx.Client
) -> None:
    operator = operator_credential.get_token("https://management.azure.com/.default").token
    answer = http.get("/_cloud/status", headers={"Authorization": f"Bearer {operator}"})
    assert answer.status_code == 200
    assert answer.json()["tenant_id"] == local_cloud.cloud.identity.tenant_id

    stranger = clients.stranger(local_cloud, "00000000-0000-0000-0000-00000000beef").token
    _assert_refused(http.get("/_cloud/status", headers={"Authorization": f"Bearer {stranger}"}))
    graph_token = local_cloud.cloud.tokens.issue(
        audience="https://graph.microsoft.com",
        object_id=local_cloud.cloud.identity.operator_object_id,
        app_id=local_cloud.cloud.identity.operator_client_id,
    ).token
    _assert_refused(http.get("/_cloud/status", headers={"Authorization": f"Bearer {graph_token}"}))


def test_the_control_key_is_kept_in_the_private_cloud_file_and_never_logged(
    local_cloud: LocalCloudServer, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    key = local_cloud.cloud.identity.control_key
    path = local_cloud.data_dir / IDENTITY_FILE
    assert json.loads(path.read_text())["control_key"] == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(key) >= 32

    with caplog.at_level(logging.DEBUG):
        assert http.get("/_cloud/status", headers=control_headers(local_cloud)).status_code == 200
        http.get("/_cloud/status", headers={"X-Control-Key": key + "x"})
        records = json.dumps(control(local_cloud, "GET", "/_cloud/requests"))
    assert key not in caplog.text
    assert key not in records
    assert key not in repr(local_cloud.cloud.identity)


def test_an_older_data_dir_gets_a_control_key(tmp_path: Any) -> None:
    with LocalCloudServer(tmp_path) as first:
        identity = first.cloud.identity
    document = json.loads((tmp_path / IDENTITY_FILE).read_text())
    del document["control_key"]
    (tmp_path / IDENTITY_FILE).write_text(json.dumps(document))

    with LocalCloudServer(tmp_path) as second:
        assert second.cloud.identity.operator_secret == identity.operator_secret
        assert second.cloud.identity.control_key
        assert control(second, "GET", "/_cloud/status")["tenant_id"] == identity.tenant_id
    assert (tmp_path / IDENTITY_FILE).stat().st_mode & 0o777 == 0o600
