"""Fixtures for the local cloud tests: one running cloud per test module, and the operator's credential."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.identity import ClientSecretCredential

from provisioner.emulator.server import LocalCloudServer
from tests.emulator.clients import operator_credential_for


@pytest.fixture(scope="module")
def ca_cert(local_cloud: LocalCloudServer) -> Path:
    return local_cloud.ca_cert


@pytest.fixture(scope="module")
def operator_credential(local_cloud: LocalCloudServer) -> ClientSecretCredential:
    """azure-identity's ClientSecretCredential for the operator principal, pointed at the local cloud.

    `disable_instance_discovery=True` is required: for an authority host Microsoft does not know, MSAL
    sends instance discovery to login.microsoftonline.com, which no local server can answer.
    """
    return operator_credential_for(local_cloud)
