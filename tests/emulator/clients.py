"""Real SDK clients pointed at a test's local cloud, and a way to run code "inside" a VM."""

from __future__ import annotations

import asyncio
import os
import ssl
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphServiceClient
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph_core import GraphClientFactory

from provisioner.emulator.server import LocalCloudServer

T = TypeVar("T")
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MANAGEMENT_AUDIENCE = "https://management.azure.com/"


class StaticToken(TokenCredential):
    """A credential that presents a fixed (possibly forged or expired) token."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, 4102444800)


def stranger(server: LocalCloudServer, object_id: str) -> StaticToken:
    """A valid management token for a principal that holds no role anywhere."""
    return StaticToken(server.cloud.tokens.issue(audience=MANAGEMENT_AUDIENCE, object_id=object_id, app_id="x").token)


def azure_error(raised: pytest.ExceptionInfo[HttpResponseError]) -> tuple[int | None, str, str]:
    """(status, code, message) of a refused SDK call."""
    error = raised.value.error
    assert error is not None
    return raised.value.status_code, str(error.code), str(error.message)


def operator_credential_for(server: LocalCloudServer) -> ClientSecretCredential:
    """azure-identity's ClientSecretCredential for the operator principal, pointed at the local cloud.

    `disable_instance_discovery=True` is required: for an authority host Microsoft does not know, MSAL
    sends instance discovery to login.microsoftonline.com, which no local server can answer.
    """
    identity = server.cloud.identity
    return ClientSecretCredential(
        identity.tenant_id,
        identity.operator_client_id,
        identity.operator_secret,
        authority=server.url,
        disable_instance_discovery=True,
        connection_verify=str(server.ca_cert),
    )


def mgmt_options(server: LocalCloudServer) -> dict[str, Any]:
    return {"base_url": server.url, "connection_verify": str(server.ca_cert), "polling_interval": 1}


def resources(server: LocalCloudServer, credential: Any) -> ResourceManagementClient:
    return ResourceManagementClient(credential, server.cloud.identity.subscription_id, **mgmt_options(server))


def network(server: LocalCloudServer, credential: Any) -> NetworkManagementClient:
    return NetworkManagementClient(credential, server.cloud.identity.subscription_id, **mgmt_options(server))


def compute(server: LocalCloudServer, credential: Any) -> ComputeManagementClient:
    return ComputeManagementClient(credential, server.cloud.identity.subscription_id, **mgmt_options(server))


def msi(server: LocalCloudServer, credential: Any) -> ManagedServiceIdentityClient:
    return ManagedServiceIdentityClient(credential, server.cloud.identity.subscription_id, **mgmt_options(server))


def authorization(server: LocalCloudServer, credential: Any) -> AuthorizationManagementClient:
    return AuthorizationManagementClient(credential, server.cloud.identity.subscription_id, **mgmt_options(server))


def run_msgraph(server: LocalCloudServer, credential: Any, call: Callable[[GraphServiceClient], Awaitable[T]]) -> T:
    """Run one msgraph-sdk call against the local cloud's Graph endpoint."""

    async def main() -> T:
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(server.ca_cert))) as http:
            http_client = GraphClientFactory.create_with_default_middleware(client=http)
            http_client.base_url = httpx.URL(f"{server.url}/v1.0/")
            auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE], allowed_hosts=["127.0.0.1"])
            adapter = GraphRequestAdapter(auth, client=http_client)
            adapter.base_url = f"{server.url}/v1.0"
            return await call(GraphServiceClient(request_adapter=adapter))

    return asyncio.run(main())


def run_inside(authority_env: dict[str, str], server: LocalCloudServer, code: str) -> subprocess.CompletedProcess[str]:
    """Run Python code in a separate process whose environment makes it act inside a VM or web app."""
    env = dict(os.environ) | authority_env
    env |= {"REQUESTS_CA_BUNDLE": str(server.ca_cert), "SSL_CERT_FILE": str(server.ca_cert)}
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "IDENTITY_ENDPOINT", "IDENTITY_HEADER"):
        if name not in authority_env:
            env.pop(name, None)
    command = [sys.executable, "-c", code]
    return subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=120)
