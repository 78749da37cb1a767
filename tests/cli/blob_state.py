"""The operator's connection to a CLI test's local cloud, and a blob container for state on it."""

from __future__ import annotations

from provisioner.azure.target import LocalCloudConnection, local_target
from provisioner.cli.targets import server_connection
from tests.e2e.conftest import Cloud
from tests.emulator import builders
from tests.emulator.clients import operator_credential_for
from tests.emulator.helpers_storage import BLOB_DATA_CONTRIBUTOR, account, container, group

ACCOUNT = "clistate"


def connection_of(cloud: Cloud) -> LocalCloudConnection:
    return server_connection(cloud.server)


def state_container(cloud: Cloud) -> str:
    """A container the operator may read and write blobs in: its azblob:// location."""
    credential = operator_credential_for(cloud.server)
    group_id = group(cloud.server, credential, "cli-state-rg")
    account(cloud.server, credential, "cli-state-rg", ACCOUNT)
    container(cloud.server, credential, "cli-state-rg", ACCOUNT, "state")
    target = local_target(connection_of(cloud))
    builders.assign(cloud.server, credential, group_id, BLOB_DATA_CONTRIBUTOR, target.principal_id())
    return f"azblob://{ACCOUNT}/state/pipeline"
