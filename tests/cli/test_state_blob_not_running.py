"""`--state azblob://...` when no local cloud is running: the command starts one in-process for its
length, and the state lease, the state writes and the run all go to that one cloud (before, the
backend opened a second in-process cloud on the same data dir)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioner.azure.target import local_target
from provisioner.emulator.server import LocalCloudServer, find_running
from provisioner.state.select import open_backend
from tests.cli.blob_state import connection_of, state_container
from tests.e2e.conftest import Cloud
from tests.emulator.clients import operator_credential_for
from tests.emulator.helpers_storage import blob_service

pytestmark = pytest.mark.e2e
SCENARIO = (
    "scenario: offline\nresources:\n  rg:\n    kind: resource_group\n    name: offline-rg\n    location: westus\n"
)


@pytest.fixture
def stopped(tmp_path: Path) -> Iterator[tuple[Cloud, str]]:
    """A data dir whose cloud has a state container and is then stopped."""
    server = LocalCloudServer(tmp_path / "cloud")
    server.start()
    try:
        location = state_container(Cloud(server, tmp_path / "state"))
    finally:
        server.stop()
    assert find_running(server.data_dir) is None
    yield Cloud(server, tmp_path / "state"), location


def test_apply_and_destroy_with_blob_state_and_no_running_cloud(stopped: tuple[Cloud, str], tmp_path: Path) -> None:
    cloud, location = stopped
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    applied = cloud.run("apply", str(path), "--state", location, "--auto-approve")
    assert applied.code == 0, applied.text
    server = LocalCloudServer(cloud.data_dir)
    server.start()
    try:
        target = local_target(connection_of(Cloud(server, cloud.state_dir)))
        assert list(open_backend(location, target).load_or_new("offline").resources) == ["rg"]
        container = blob_service(server, "clistate", operator_credential_for(server)).get_container_client("state")
        lock = container.get_blob_client("pipeline/offline.lock").get_blob_properties()
        assert lock.lease.state == "available"  # released by the same cloud that granted it
        target.close()
    finally:
        server.stop()
    destroyed = cloud.run("destroy", str(path), "--state", location, "--auto-approve")
    assert destroyed.code == 0, destroyed.text
