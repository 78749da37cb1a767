"""The local cloud server: a free port, server.json while it runs, and state kept across restarts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import requests

from provisioner.emulator.core import config
from provisioner.emulator.server import SERVER_FILE, LocalCloudServer, ServerInfo, find_running
from tests.control import control


def test_server_json_describes_the_running_server(tmp_path: Path) -> None:
    with LocalCloudServer(tmp_path) as server:
        assert server.url == f"https://127.0.0.1:{server.port}"
        document = json.loads((tmp_path / SERVER_FILE).read_text())
        assert document == {
            "pid": os.getpid(),
            "port": server.port,
            "url": server.url,
            "ca_cert": str(server.ca_cert.resolve()),
        }
        assert find_running(tmp_path) == ServerInfo(os.getpid(), server.port, server.url, server.ca_cert.resolve())
    assert not (tmp_path / SERVER_FILE).exists()
    assert find_running(tmp_path) is None


def test_stale_server_json_is_not_a_running_server(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    dead_pid = int(finished.stdout)
    with LocalCloudServer(tmp_path) as server:
        port, ca_cert = server.port, server.ca_cert
    stale = {"pid": dead_pid, "port": port, "url": f"https://127.0.0.1:{port}", "ca_cert": str(ca_cert)}
    (tmp_path / SERVER_FILE).write_text(json.dumps(stale))
    assert find_running(tmp_path) is None
    closed_port = stale | {"pid": os.getpid()}
    (tmp_path / SERVER_FILE).write_text(json.dumps(closed_port))
    assert find_running(tmp_path) is None
    (tmp_path / SERVER_FILE).write_text("{not json")
    assert find_running(tmp_path) is None


def test_identity_keys_and_certificates_survive_a_restart(tmp_path: Path) -> None:
    with LocalCloudServer(tmp_path) as first:
        identity = first.cloud.identity
        ca = first.ca_cert.read_bytes()
        token = first.cloud.tokens.issue(audience="https://management.azure.com/", object_id="oid", app_id="app").token
    with LocalCloudServer(tmp_path) as second:
        assert second.cloud.identity == identity
        assert second.ca_cert.read_bytes() == ca
        assert second.cloud.tokens.validate(token, audiences=config.ARM_AUDIENCES)["oid"] == "oid"
        keys = requests.get(
            f"{second.url}/{identity.tenant_id}/discovery/v2.0/keys", verify=str(second.ca_cert), timeout=30
        )
        assert keys.json()["keys"][0]["kid"] == second.cloud.tokens.kid


def test_two_servers_get_different_free_ports(tmp_path: Path) -> None:
    with LocalCloudServer(tmp_path / "a") as one, LocalCloudServer(tmp_path / "b") as two:
        assert one.port != two.port
        for server in (one, two):
            assert control(server, "GET", "/_cloud/status")["tenant_id"] == server.cloud.identity.tenant_id
