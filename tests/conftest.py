"""Fixtures every test package shares: one local cloud per test module, served over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provisioner.emulator.server import LocalCloudServer
from tests.datadirs import cloud_data_dir


@pytest.fixture(scope="module")
def local_cloud() -> Iterator[LocalCloudServer]:
    """A local cloud on a free port with its own data dir, for the whole module."""
    with cloud_data_dir() as data_dir:
        server = LocalCloudServer(data_dir)
        server.start()
        yield server
        server.stop()
