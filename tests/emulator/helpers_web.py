"""App Service for emulator tests: the azure-mgmt-web client, plans and web apps, and the per-app
managed-identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER)."""

from __future__ import annotations

import ssl
from typing import Any

import httpx
from azure.mgmt.web import WebSiteManagementClient

from provisioner.emulator.server import LocalCloudServer
from tests.control import control_headers
from tests.emulator import clients

LOCATION = "westus"


def https(server: LocalCloudServer) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(server.ca_cert)), timeout=30)


def web(server: LocalCloudServer, credential: Any) -> WebSiteManagementClient:
    return WebSiteManagementClient(credential, server.cloud.identity.subscription_id, **clients.mgmt_options(server))


def plan(server: LocalCloudServer, credential: Any, group: str, name: str, *, linux: bool = True) -> Any:
    body = {
        "location": LOCATION,
        "kind": "linux" if linux else "app",
        "sku": {"name": "B1"},
        "properties": {"reserved": linux},
    }
    return web(server, credential).app_service_plans.begin_create_or_update(group, name, body).result()


def site_body(plan_id: str, identity: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": LOCATION,
        "kind": "app,linux",
        "properties": {"serverFarmId": plan_id, "siteConfig": {"linuxFxVersion": "PYTHON|3.11"}},
    }
    if identity is not None:
        body["identity"] = identity
    return body


def site(
    server: LocalCloudServer, credential: Any, group: str, name: str, plan_id: str, identity: dict[str, Any] | None
) -> Any:
    poller = web(server, credential).web_apps.begin_create_or_update(group, name, site_body(plan_id, identity))
    return poller.result()


def identity_environment(server: LocalCloudServer, site_id: str) -> dict[str, str]:
    """IDENTITY_ENDPOINT and IDENTITY_HEADER, from the control endpoint, as App Service sets them."""
    with https(server) as http:
        answer = http.get(
            f"{server.url}/_cloud/web-app-identity-endpoint", params={"id": site_id}, headers=control_headers(server)
        )
    answer.raise_for_status()
    variables = answer.json()
    return {"IDENTITY_ENDPOINT": variables["identity_endpoint"], "IDENTITY_HEADER": variables["identity_header"]}


def token_request(server: LocalCloudServer, site_id: str, resource: str, **selector: str) -> httpx.Response:
    """The App Service token request exactly as MSAL sends it (api-version 2019-08-01, X-IDENTITY-HEADER)."""
    environment = identity_environment(server, site_id)
    with https(server) as http:
        return http.get(
            environment["IDENTITY_ENDPOINT"],
            params={"api-version": "2019-08-01", "resource": resource, **selector},
            headers={"X-IDENTITY-HEADER": environment["IDENTITY_HEADER"], "Metadata": "true"},
        )


def app_token(server: LocalCloudServer, site_id: str, resource: str, **selector: str) -> str:
    answer = token_request(server, site_id, resource, **selector)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])
