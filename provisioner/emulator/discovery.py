"""Where a running local cloud is: `<data dir>/server.json`, written while it serves. A light module
(no web framework, no services): a command that attaches to a running cloud imports only this."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(".provision/cloud")
SERVER_FILE = "server.json"
HOST = "127.0.0.1"
PROBE_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    port: int
    url: str
    ca_cert: Path


def find_running(data_dir: Path) -> ServerInfo | None:
    """The local cloud serving this data dir, or None (no server.json, or a stale one)."""
    info = read_server_file(data_dir)
    if info is None or not _process_alive(info.pid) or not _port_open(info.port):
        return None
    return info


def read_server_file(data_dir: Path) -> ServerInfo | None:
    try:
        raw = json.loads((data_dir / SERVER_FILE).read_text())
        return ServerInfo(int(raw["pid"]), int(raw["port"]), str(raw["url"]), Path(raw["ca_cert"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=PROBE_TIMEOUT_SECONDS):
            return True
    except OSError:
        return False
