"""The local cloud in a process of its own, as Azure is: `provision cloud start` on a free port, so
the tool's own overhead is not mixed with the emulator's under one interpreter lock."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provisioner.azure.target import LocalCloudConnection
from provisioner.cli.targets import operator_connection
from provisioner.emulator.core.config import CloudIdentity, load_or_create_identity
from provisioner.emulator.server import ServerInfo, find_running

PROVISION = [sys.executable, "-c", "from provisioner.cli.main import main; main()"]
START_TIMEOUT = 60.0


@dataclass
class CloudProcess:
    data_dir: Path
    info: ServerInfo
    identity: CloudIdentity
    process: subprocess.Popen[bytes]

    @property
    def connection(self) -> LocalCloudConnection:
        return operator_connection(self.info.url, self.info.ca_cert, self.identity)

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        context = ssl.create_default_context(cafile=str(self.info.ca_cert))
        data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
        request = urllib.request.Request(self.info.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        # The control API answers only the operator: the key kept in the data dir's cloud.json.
        request.add_header("X-Control-Key", self.identity.control_key)
        with urllib.request.urlopen(request, context=context, timeout=60) as response:
            raw = response.read()
        return json.loads(raw) if raw.strip() else {}

    def faults(self, **changes: Any) -> None:
        self.control("PUT", "/_cloud/faults", changes)

    def mark(self) -> int:
        return int(self.control("GET", "/_cloud/requests?records=false")["last"])

    def requests(self, since: int, records: bool = True) -> dict[str, Any]:
        return self.control("GET", f"/_cloud/requests?since={since}&records={'true' if records else 'false'}")

    def clear_log(self) -> None:
        self.control("DELETE", "/_cloud/requests")


@contextmanager
def cloud_process(data_dir: Path, *options: str) -> Iterator[CloudProcess]:
    """`provision cloud start --data-dir DIR OPTIONS...` until the block ends."""
    command = [*PROVISION, "cloud", "start", "--data-dir", str(data_dir), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        info = _wait_until_serving(data_dir, process)
        yield CloudProcess(data_dir, info, load_or_create_identity(data_dir), process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(data_dir: Path, process: subprocess.Popen[bytes]) -> ServerInfo:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        info = find_running(data_dir)
        if info is not None and info.pid == process.pid:
            return info
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"provision cloud start exited {process.returncode}: {error}")
        time.sleep(0.05)
    raise RuntimeError(f"provision cloud start did not serve {data_dir} within {START_TIMEOUT:.0f}s")


def child_environment() -> dict[str, str]:
    """The environment of `provision` processes a benchmark starts (no terminal: plain output)."""
    return {**os.environ, "PYTHONUNBUFFERED": "1"}
