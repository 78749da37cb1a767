"""Targets, profiles, the shared clients and the translation of SDK errors, against the local cloud."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest

from provisioner.azure.clients import Clients, RetrySettings
from provisioner.azure.profiles import azure_profile, local_profile
from provisioner.azure.target import LocalCloudConnection, Target, azure_target, local_target
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import CloudError, ConfigurationError, TransientCloudError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from tests.providers.conftest import desired

GROUP = desired("resource_group", {"name": "any", "location": "westus"})
ENTRA_GROUP = desired("entra_group", {"display_name": "any"})


def test_sovereign_clouds_have_their_own_endpoints_and_scopes() -> None:
    public, government, china = (azure_profile(name) for name in ("AzureCloud", "azureusgovernment", "AzureChinaCloud"))
    assert public.arm_scope == "https://management.azure.com/.default"
    assert public.graph_scope == "https://graph.microsoft.com/.default"
    assert government.arm_endpoint == "https://management.usgovcloudapi.net"
    assert government.authority_host == "https://login.microsoftonline.us"
    assert china.graph_scope == "https://microsoftgraph.chinacloudapi.cn/.default"
    with pytest.raises(ConfigurationError, match="AzureCloud"):
        azure_profile("AzureGermanCloud")


def test_the_local_cloud_uses_its_own_endpoints_with_public_audiences() -> None:
    profile = local_profile("https://127.0.0.1:8443/")
    assert profile.arm_endpoint == profile.msgraph_endpoint == profile.authority_host == "https://127.0.0.1:8443"
    assert profile.arm_scope == azure_profile().arm_scope
    assert profile.sql_scope == "https://database.windows.net/.default"
    assert profile.poll_interval <= 1


def test_azure_needs_a_subscription(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    with pytest.raises(ConfigurationError, match="--subscription"):
        azure_target(None)


def test_target_says_where_it_points_and_hides_secrets(target: Target, connection: LocalCloudConnection) -> None:
    assert target.description == (
        f"target: local cloud at {connection.url}, tenant: {connection.tenant_id}, "
        f"subscription: {connection.subscription_id}"
    )
    assert connection.client_secret not in repr(connection)
    assert connection.client_secret not in repr(target)
    secret = desired("key_vault_secret", {"name": "s", "vault": "/x"}, secrets={"value": "hidden-Value-9"})
    assert "hidden-Value-9" not in repr(secret)


def test_principal_id_is_the_operators(clients: Clients, local_cloud: LocalCloudServer) -> None:
    assert clients.principal_id == local_cloud.cloud.identity.operator_object_id


def test_clients_are_built_once_and_graph_works_from_many_threads(target: Target) -> None:
    with Clients(target) as clients, ThreadPoolExecutor(8) as pool:
        built = list(pool.map(lambda _: clients.authorization, range(8)))
        pages = list(pool.map(lambda _: clients.run_msgraph(lambda msgraph: msgraph.users.get()), range(8)))
    assert all(client is built[0] for client in built)
    assert all(len(page.value) >= 2 for page in pages)


@pytest.fixture
def no_retries(target: Target) -> Iterator[Clients]:
    with Clients(target, RetrySettings(total=0)) as clients:
        yield clients


@pytest.fixture
def faults(local_cloud: LocalCloudServer) -> Iterator[Any]:
    yield local_cloud.cloud.faults
    local_cloud.cloud.faults.update({"throttle_rate": 0, "error_rate": 0, "seed": None})


def test_throttling_is_transient_with_retry_after(no_retries: Clients, faults: Any) -> None:
    faults.update({"throttle_rate": 1})
    with pytest.raises(TransientCloudError) as raised:
        PROVIDERS["resource_group"].read(RunContext(no_retries), GROUP)
    assert (raised.value.status, raised.value.code, raised.value.retry_after) == (429, "TooManyRequests", 1)
    with pytest.raises(TransientCloudError) as graph_raised:
        PROVIDERS["entra_group"].read(RunContext(no_retries), ENTRA_GROUP)
    assert (graph_raised.value.status, graph_raised.value.code) == (429, "TooManyRequests")


def test_server_errors_are_transient(no_retries: Clients, faults: Any) -> None:
    faults.update({"error_rate": 1})
    with pytest.raises(TransientCloudError) as raised:
        PROVIDERS["resource_group"].read(RunContext(no_retries), GROUP)
    assert raised.value.status in (500, 503)


def test_the_sdk_retries_what_is_transient(clients: Clients, faults: Any) -> None:
    faults.update({"error_rate": 0.2, "throttle_rate": 0.1, "seed": 7})
    for _ in range(5):
        assert PROVIDERS["resource_group"].read(RunContext(clients), GROUP) is None


def test_a_wrong_secret_is_a_cloud_error_that_does_not_repeat_it(connection: LocalCloudConnection) -> None:
    wrong = replace(connection, client_secret="not-the-Secret-42")
    target = local_target(wrong)
    with Clients(target) as clients, pytest.raises(CloudError) as raised:
        PROVIDERS["resource_group"].read(RunContext(clients), GROUP)
    assert raised.value.code == "AuthenticationFailed"
    assert "not-the-Secret-42" not in str(raised.value)
    target.close()
