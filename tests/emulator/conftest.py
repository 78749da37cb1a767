"""Fixtures for the local cloud tests: one running cloud per test module, and the operator's credential."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.identity import ClientSecretCredential

from provisioner.emulator.server import LocalCloudServer


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudServer]:
    """A local cloud serving HTTPS on a free port, with its own data dir, for the whole module."""
    server = LocalCloudServer(tmp_path_factory.mktemp("cloud"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ca_cert(local_cloud: LocalCloudServer) -> Path:
    return local_cloud.ca_cert


@pytest.fixture(scope="module")
def operator_credential(local_cloud: LocalCloudServer) -> ClientSecretCredential:
    """azure-identity's ClientSecretCredential for the operator principal, pointed at the local cloud.

    `disable_instance_discovery=True` is required: for an authority host Microsoft does not know, MSAL
    sends instance discovery to login.microsoftonline.com, which no local server can answer.
    """
    identity = local_cloud.cloud.identity
    return ClientSecretCredential(
        identity.tenant_id,
        identity.operator_client_id,
        identity.operator_secret,
        authority=local_cloud.url,
        disable_instance_discovery=True,
        connection_verify=str(local_cloud.ca_cert),
    )
