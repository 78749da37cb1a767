"""The ARM contract every provider shares: api-version, paths, headers, errors, tokens, paging, async."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from typing import Any

import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.rest import HttpRequest
from cryptography.hazmat.primitives.asymmetric import rsa

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients

GROUP = "contract-rg"


@pytest.fixture(scope="module")
def arm(local_cloud: LocalCloudServer, operator_credential: Any) -> Any:
    client = clients.resources(local_cloud, operator_credential)
    client.resource_groups.create_or_update(GROUP, {"location": "westus"})
    return client


def _subscription_path(local_cloud: LocalCloudServer) -> str:
    return f"/subscriptions/{local_cloud.cloud.identity.subscription_id}"


def _send(arm: Any, method: str, path: str, body: Any = None) -> Any:
    return arm.send_request(HttpRequest(method, path, json=body))


def test_api_version_is_required(local_cloud: LocalCloudServer, arm: Any) -> None:
    response = _send(arm, "GET", f"{_subscription_path(local_cloud)}/resourcegroups/{GROUP}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MissingApiVersionParameter"
    assert response.headers["x-ms-request-id"]


def test_paths_are_case_insensitive_and_errors_use_the_arm_envelope(local_cloud: LocalCloudServer, arm: Any) -> None:
    path = f"{_subscription_path(local_cloud)}/RESOURCEGROUPS/{GROUP.upper()}?api-version=2025-04-01"
    found = _send(arm, "GET", path)
    assert found.status_code == 200
    assert found.json()["name"] == GROUP
    assert found.headers["content-type"] == "application/json; charset=utf-8"
    assert found.headers["x-ms-ratelimit-remaining-subscription-reads"].isdigit()

    missing = _send(arm, "GET", f"{_subscription_path(local_cloud)}/resourcegroups/nope?api-version=2025-04-01")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "ResourceGroupNotFound", "message": "Resource group 'nope' could not be found."}
    }


def test_unknown_subscription_and_resource_type(arm: Any) -> None:
    other = _send(
        arm, "GET", "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups?api-version=2025-04-01"
    )
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "SubscriptionNotFound"
    unknown = _send(arm, "GET", "/subscriptions/x/providers/Microsoft.Nothing/things?api-version=2025-04-01")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "InvalidResourceType"


def test_put_answers_201_then_200(local_cloud: LocalCloudServer, arm: Any) -> None:
    path = f"{_subscription_path(local_cloud)}/resourcegroups/contract-put?api-version=2025-04-01"
    assert _send(arm, "PUT", path, {"location": "westus"}).status_code == 201
    assert _send(arm, "PUT", path, {"location": "westus"}).status_code == 200
    moved = _send(arm, "PUT", path, {"location": "eastus"})
    assert moved.status_code == 409
    assert moved.json()["error"]["code"] == "InvalidResourceGroupLocation"


@pytest.mark.parametrize(
    ("name", "code"),
    [("ends-with-dot.", "InvalidResourceGroupName"), ("bad*name", "InvalidResourceGroupName")],
)
def test_resource_group_name_rules(local_cloud: LocalCloudServer, arm: Any, name: str, code: str) -> None:
    path = f"{_subscription_path(local_cloud)}/resourcegroups/{name}?api-version=2025-04-01"
    response = _send(arm, "PUT", path, {"location": "westus"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_unknown_location_is_refused(local_cloud: LocalCloudServer, arm: Any) -> None:
    response = _send(
        arm, "PUT", f"{_subscription_path(local_cloud)}/resourcegroups/far?api-version=2025-04-01", {"location": "mars"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "LocationNotAvailableForResourceGroup"


def test_lists_page_with_next_link_absent_on_the_last_page(local_cloud: LocalCloudServer, arm: Any) -> None:
    for index in range(5):
        arm.resource_groups.create_or_update(f"page-{index}", {"location": "westus"})
    first = _send(arm, "GET", f"{_subscription_path(local_cloud)}/resourcegroups?api-version=2025-04-01&$top=2")
    body = first.json()
    assert len(body["value"]) == 2
    assert body["nextLink"].startswith(local_cloud.url)
    assert "$skiptoken=" in body["nextLink"]
    pages = [body]
    while "nextLink" in pages[-1]:
        pages.append(_send(arm, "GET", pages[-1]["nextLink"]).json())
    assert pages[-1]["value"] and "nextLink" not in pages[-1]
    names = [group["name"] for page in pages for group in page["value"]]
    assert len(names) == len(set(names))
    assert {f"page-{index}" for index in range(5)} <= set(names)
    assert {group.name for group in arm.resource_groups.list()} == set(names)


def test_async_operation_headers_are_absolute_with_integer_retry_after(local_cloud: LocalCloudServer, arm: Any) -> None:
    arm.resource_groups.create_or_update("contract-delete", {"location": "westus"})
    response = _send(
        arm, "DELETE", f"{_subscription_path(local_cloud)}/resourcegroups/contract-delete?api-version=2025-04-01"
    )
    assert response.status_code == 202
    assert response.headers["Location"].startswith(f"{local_cloud.url}/subscriptions/")
    assert int(response.headers["Retry-After"]) >= 1
    done = _send(arm, "GET", response.headers["Location"])
    assert done.status_code in (200, 204)


def test_async_operations_report_in_progress_for_the_configured_polls(local_cloud: LocalCloudServer, arm: Any) -> None:
    local_cloud.cloud.faults.update({"async_polls": 3})
    try:
        arm.resource_groups.create_or_update("contract-polls", {"location": "westus"})
        response = _send(
            arm, "DELETE", f"{_subscription_path(local_cloud)}/resourcegroups/contract-polls?api-version=2025-04-01"
        )
        statuses = [_send(arm, "GET", response.headers["Location"]).status_code for _ in range(3)]
    finally:
        local_cloud.cloud.faults.update({"async_polls": 1})
    assert statuses == [202, 202, 204]


def _polls(local_cloud: LocalCloudServer, arm: Any, status_url: str, provider: str) -> list[dict[str, Any]]:
    """Two polls of one operation through `provider`'s status URL (the first in progress)."""
    url = status_url.replace("/providers/Microsoft.Network/", f"/providers/{provider}/")
    return [_send(arm, "GET", url).json() for _ in range(2)]


def test_poll_bodies_carry_what_their_providers_polls_carry(local_cloud: LocalCloudServer, arm: Any) -> None:
    """As recorded: Network's polls hold only `status`; Compute's add name and startTime, and endTime
    only once ended; SQL's never hold endTime."""
    arm.resource_groups.create_or_update("contract-poll-bodies", {"location": "westus"})
    vnet = {"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.7.0.0/16"]}}}
    path = "/resourceGroups/contract-poll-bodies/providers/Microsoft.Network/virtualNetworks/poll-vnet"
    local_cloud.cloud.faults.update({"async_polls": 6})
    try:
        created = _send(arm, "PUT", f"{_subscription_path(local_cloud)}{path}?api-version=2024-05-01", vnet)
        status_url = created.headers["Azure-AsyncOperation"]
        network = _polls(local_cloud, arm, status_url, "Microsoft.Network")
        compute = _polls(local_cloud, arm, status_url, "Microsoft.Compute")
        sql = _polls(local_cloud, arm, status_url, "Microsoft.Sql")
    finally:
        local_cloud.cloud.faults.update({"async_polls": 1})
    assert network == [{"status": "InProgress"}, {"status": "InProgress"}]
    assert set(compute[0]) == {"name", "startTime", "status"}
    assert set(sql[1]) == {"name", "startTime", "status"}
    assert _send(arm, "GET", status_url.replace("/Microsoft.Network/", "/Microsoft.Compute/")).json().keys() >= {
        "endTime"
    }


def _token(local_cloud: LocalCloudServer, **changes: Any) -> str:
    identity = local_cloud.cloud.identity
    issued = local_cloud.cloud.tokens.issue(
        audience=changes.pop("audience", "https://management.azure.com/"),
        object_id=identity.operator_object_id,
        app_id=identity.operator_client_id,
        **changes,
    )
    return issued.token


def _forged(local_cloud: LocalCloudServer) -> str:
    """A token with real-looking claims and header, signed by a key the cloud never issued."""
    genuine = _token(local_cloud)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    claims["oid"] = "00000000-0000-0000-0000-00000000beef"
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other_key, algorithm="RS256", headers=jwt.get_unverified_header(genuine))


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (_forged, "InvalidAuthenticationToken"),
        (lambda cloud: _token(cloud, lifetime_seconds=-600), "ExpiredAuthenticationToken"),
        (lambda cloud: _token(cloud, audience="https://vault.azure.net"), "InvalidAuthenticationTokenAudience"),
        (lambda cloud: "not-a-jwt", "InvalidAuthenticationToken"),
    ],
)
def test_bad_tokens_are_refused_with_401(local_cloud: LocalCloudServer, make_token: Any, code: str) -> None:
    client = clients.resources(local_cloud, clients.StaticToken(make_token(local_cloud)))
    with pytest.raises(ClientAuthenticationError) as refused:
        client.resource_groups.get(GROUP)
    assert refused.value.status_code == 401
    assert refused.value.error is not None and refused.value.error.code == code


def _raw(local_cloud: LocalCloudServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    context = ssl.create_default_context(cafile=str(local_cloud.ca_cert))
    request = urllib.request.Request(local_cloud.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_missing_authorization_header_gets_a_challenge(local_cloud: LocalCloudServer) -> None:
    status, body = _raw(local_cloud, f"{_subscription_path(local_cloud)}/resourcegroups?api-version=2025-04-01")
    assert status == 401
    assert body["error"]["code"] == "AuthenticationFailed"


def test_imds_requires_the_metadata_header_and_a_resource(local_cloud: LocalCloudServer) -> None:
    path = "/_imds/00000000-0000-0000-0000-000000000000/metadata/identity/oauth2/token?api-version=2018-02-01"
    status, body = _raw(local_cloud, path + "&resource=https://management.azure.com/")
    assert (status, body["error"]) == (400, "invalid_request")
    assert body["error_description"] == "Required metadata header not specified"
    status, body = _raw(local_cloud, path, {"Metadata": "true"})
    assert (status, body["error"]) == (400, "invalid_request")


def test_subscription_and_resource_list(local_cloud: LocalCloudServer, operator_credential: Any, arm: Any) -> None:
    clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, "listed-uai", {"location": "westus"}
    )
    listed = list(arm.resources.list_by_resource_group(GROUP))
    assert [item.name for item in listed] == ["listed-uai"]
    by_type = list(arm.resources.list(filter="resourceType eq 'Microsoft.ManagedIdentity/userAssignedIdentities'"))
    assert "listed-uai" in [item.name for item in by_type]
    uai_type = "Microsoft.ManagedIdentity/userAssignedIdentities"
    by_name = list(arm.resources.list(filter=f"resourceType eq '{uai_type}' and name eq 'LISTED-uai'"))
    assert [item.name for item in by_name] == ["listed-uai"]
    assert list(arm.resources.list(filter=f"resourceType eq '{uai_type}' and name eq 'other'")) == []
    with pytest.raises(HttpResponseError) as refused:
        list(arm.resources.list(filter="location eq 'westus'"))
    assert (refused.value.status_code, refused.value.error.code) == (400, "InvalidFilterInQueryString")  # type: ignore[union-attr]


def test_token_lifetime_claims(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    token = operator_credential.get_token("https://management.azure.com/.default")
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["aud"] == "https://management.azure.com/"
    assert claims["appid"] == local_cloud.cloud.identity.operator_client_id
    assert claims["nbf"] <= time.time() < claims["exp"]


def test_an_identity_answers_per_api_version(local_cloud: LocalCloudServer, arm: Any) -> None:
    """As recorded at 2018-11-30: the create is 201 with a Location naming the identity and no
    isolationScope; from 2024-11-30 on the answers carry isolationScope."""
    arm.resource_groups.create_or_update("contract-uai-versions", {"location": "westus"})
    group = f"{_subscription_path(local_cloud)}/resourceGroups/contract-uai-versions"
    path = f"{group}/providers/Microsoft.ManagedIdentity"
    created = _send(
        arm, "PUT", f"{path}/userAssignedIdentities/versioned-uai?api-version=2018-11-30", {"location": "westus"}
    )
    assert created.status_code == 201
    assert created.headers["Location"] == created.json()["id"]
    assert "isolationScope" not in created.json()["properties"]
    again = _send(
        arm, "PUT", f"{path}/userAssignedIdentities/versioned-uai?api-version=2018-11-30", {"location": "westus"}
    )
    assert again.status_code == 200 and "Location" not in again.headers
    newer = _send(arm, "GET", f"{path}/userAssignedIdentities/versioned-uai?api-version=2024-11-30").json()
    assert newer["properties"]["isolationScope"] == "None"
    listed = _send(arm, "GET", f"{path}/userAssignedIdentities?api-version=2023-01-31").json()["value"]
    assert all("isolationScope" not in item["properties"] for item in listed)
