"""Fixtures every test package shares: one local cloud per test module, served over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provisioner.emulator.server import LocalCloudServer


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudServer]:
    """A local cloud on a free port with its own data dir, for the whole module."""
    server = LocalCloudServer(tmp_path_factory.mktemp("cloud"))
    server.start()
    yield server
    server.stop()
