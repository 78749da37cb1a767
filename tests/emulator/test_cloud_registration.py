"""What a tool that registers the local cloud as a custom cloud relies on (the Azure CLI, go-azure-sdk):
the metadata document in each api-version's shape, endpoints that stay on the machine, Graph under the
audience the document advertises, and subscriptions listed to any principal with a role below them."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from typing import Any

import jwt
from azure.core.rest import HttpRequest
from azure.identity import ClientSecretCredential

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
SUBSCRIPTIONS_API = "2022-12-01"


def _subscriptions(client: Any) -> list[str]:
    """`GET /subscriptions` through the SDK's pipeline (the subscriptions client is a package of its own)."""
    response = client.send_request(HttpRequest("GET", f"/subscriptions?api-version={SUBSCRIPTIONS_API}"))
    assert response.status_code == 200
    return [item["subscriptionId"] for item in response.json()["value"]]


def _get(local_cloud: LocalCloudServer, url: str, token: str | None = None) -> tuple[int, Any]:
    context = ssl.create_default_context(cafile=str(local_cloud.ca_cert))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), context=context, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_from_2022_09_01_the_document_is_one_cloud(local_cloud: LocalCloudServer) -> None:
    status, cloud = _get(local_cloud, local_cloud.url + "/metadata/endpoints?api-version=2022-09-01")
    assert status == 200
    assert isinstance(cloud, dict)
    assert cloud["resourceManager"] == local_cloud.url + "/"
    assert cloud["authentication"]["loginEndpoint"] == local_cloud.url
    assert cloud["authentication"]["audiences"][0] == "https://management.core.windows.net/"


def test_from_2019_05_01_it_is_a_list_and_before_that_the_legacy_object(local_cloud: LocalCloudServer) -> None:
    _, listed = _get(local_cloud, local_cloud.url + "/metadata/endpoints?api-version=2019-05-01")
    assert [cloud["name"] for cloud in listed] == ["ProvisionLocalCloud"]
    _, legacy = _get(local_cloud, local_cloud.url + "/metadata/endpoints?api-version=2018-01-01")
    assert legacy["graphEndpoint"] == local_cloud.url
    assert set(legacy) == {"galleryEndpoint", "graphEndpoint", "portalEndpoint", "authentication"}


def test_every_endpoint_the_local_cloud_serves_points_at_it(local_cloud: LocalCloudServer) -> None:
    _, cloud = _get(local_cloud, local_cloud.url + "/metadata/endpoints?api-version=2022-09-01")
    assert cloud["microsoftGraphResourceId"] == local_cloud.url + "/"
    assert cloud["vmImageAliasDoc"].startswith(local_cloud.url + "/")
    status, aliases = _get(local_cloud, cloud["vmImageAliasDoc"])
    assert status == 200
    ubuntu = aliases["outputs"]["aliases"]["value"]["Linux"]["Ubuntu2204"]
    assert (ubuntu["publisher"], ubuntu["offer"], ubuntu["sku"]) == (
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts-gen2",
    )
    assert "Win2022Datacenter" in aliases["outputs"]["aliases"]["value"]["Windows"]


def test_graph_answers_under_the_audience_the_document_advertises(local_cloud: LocalCloudServer) -> None:
    """az asks for a token for `microsoftGraphResourceId` and calls Graph at that same URL."""
    _, cloud = _get(local_cloud, local_cloud.url + "/metadata/endpoints?api-version=2022-09-01")
    graph = cloud["microsoftGraphResourceId"]
    credential: ClientSecretCredential = clients.operator_credential_for(local_cloud)
    token = credential.get_token(graph + ".default").token
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == graph.rstrip("/")
    status, body = _get(local_cloud, graph + "v1.0/servicePrincipals", token)
    assert status == 200
    operator = local_cloud.cloud.identity.operator_client_id
    assert operator in [principal["appId"] for principal in body["value"]]


def test_a_token_for_another_host_is_still_refused_by_graph(local_cloud: LocalCloudServer) -> None:
    token = local_cloud.cloud.tokens.issue(audience="https://elsewhere.example/", object_id="x", app_id="x").token
    status, body = _get(local_cloud, local_cloud.url + "/v1.0/servicePrincipals", token)
    assert status == 401
    assert body["error"]["code"].startswith("InvalidAuthenticationToken")


def test_a_subscription_is_listed_to_a_principal_with_a_role_below_it(
    local_cloud: LocalCloudServer, operator_credential: Any
) -> None:
    group = "visible-rg"
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(group, {"location": "westus"})
    identity = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        group, "visible-uai", {"location": "westus"}
    )
    as_identity = clients.resources(local_cloud, clients.stranger(local_cloud, identity.principal_id))
    subscription = local_cloud.cloud.identity.subscription_id
    assert _subscriptions(as_identity) == []

    group_id = f"/subscriptions/{subscription}/resourceGroups/{group}"
    builders.assign(local_cloud, operator_credential, group_id, READER, identity.principal_id)

    assert _subscriptions(as_identity) == [subscription]
    got = as_identity.send_request(HttpRequest("GET", f"/subscriptions/{subscription}?api-version={SUBSCRIPTIONS_API}"))
    assert (got.status_code, got.json()["subscriptionId"]) == (200, subscription)
    assert as_identity.resource_groups.get(group).name == group
