"""End-to-end fixtures: one local cloud per test module (in-process, HTTPS), the `provision` CLI run
against it (in-process through click's isolation, or as a subprocess), the SDK clients of the
operator to look behind the tool's back, and the cloud's control endpoints (faults, request log).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from provisioner.azure.clients import Clients
from provisioner.azure.target import local_target
from provisioner.cli.main import main
from provisioner.cli.targets import server_connection
from provisioner.emulator.server import LocalCloudServer
from tests.control import control
from tests.datadirs import cloud_data_dir

REPO = Path(__file__).parents[2]
DATA = Path(__file__).parent / "data"
TUTORIAL = REPO / "scenarios" / "vm-system-identity-arm.yaml"
BLOB_SCENARIO = REPO / "scenarios" / "vm-system-identity-storage.yaml"
RUN_COMMANDS = {"plan", "apply", "destroy", "verify"}
STATE_COMMANDS = {"output", "show"}
UNGATED = "from provisioner.cli.main import main; main()"
GATED = (
    "import sys; from provisioner.cli.main import main, _register_commands; _register_commands(); "
    "print('ready', flush=True); sys.stdin.readline(); main()"
)


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class Cloud:
    """The local cloud of a test module, its control endpoints, and CLI runs against it."""

    def __init__(self, server: LocalCloudServer, state_dir: Path) -> None:
        self.server = server
        self.state_dir = state_dir

    @property
    def data_dir(self) -> Path:
        return self.server.data_dir

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer: dict[str, Any] | None = control(self.server, method, path, body)
        return answer or {}

    def faults(self, **settings: Any) -> None:
        self.control("PUT", "/_cloud/faults", settings)

    def clear_faults(self) -> None:
        self.faults(latency_ms=0, throttle_rate=0, error_rate=0, replication_delay=0, rbac_delay=0, throttle=False)

    def mark(self) -> int:
        """The request log's sequence number now (count requests after it with `since`)."""
        return int(self.control("GET", "/_cloud/requests?records=false")["last"])

    def since(self, mark: int) -> dict[str, Any]:
        return self.control("GET", f"/_cloud/requests?since={mark}&records=false")

    def args(self, *args: str) -> list[str]:
        command = args[0]
        extra: list[str] = []
        if command in RUN_COMMANDS:
            extra = ["--data-dir", str(self.data_dir), "--state-dir", str(self.state_dir)]
        elif command in STATE_COMMANDS:
            extra = ["--state-dir", str(self.state_dir)]
        return [*args, *extra]

    def run(self, *args: str, env: dict[str, str] | None = None) -> Outcome:
        """`provision ARGS` in this process, as a user would run it (exit code included)."""
        runner = CliRunner()
        code = 0
        with runner.isolation(env={"PROVISION_TARGET": None, **(env or {})}) as (out, err, _):
            try:
                main(self.args(*args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
        return Outcome(code, out.getvalue().decode(), err.getvalue().decode())

    def spawn(self, *args: str, gated: bool = False) -> subprocess.Popen[str]:
        """`provision ARGS` as a separate process (for SIGKILL and concurrency tests). A gated one
        imports everything, prints "ready" and waits for a line on stdin before it starts."""
        command = [sys.executable, "-c", GATED if gated else UNGATED, *self.args(*args)]
        env = {key: value for key, value in os.environ.items() if key != "PROVISION_TARGET"}
        return subprocess.Popen(
            command,
            cwd=self.state_dir.parent,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    with cloud_data_dir() as data_dir:
        server = LocalCloudServer(data_dir)
        server.start()
        try:
            yield Cloud(server, tmp_path_factory.mktemp("work") / "state")
        finally:
            server.stop()


@pytest.fixture(scope="module")
def sdk(cloud: Cloud) -> Iterator[Clients]:
    """The operator's SDK clients, to look at (and change) the cloud behind the tool's back."""
    target = local_target(server_connection(cloud.server))
    with Clients(target) as clients:
        yield clients
    target.close()


@pytest.fixture
def prefix() -> str:
    """A fresh name prefix per test: the resources of one test never meet another's."""
    return "t" + uuid.uuid4().hex[:6]
