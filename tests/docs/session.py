"""A newcomer's shell session in a fresh directory: each command runs through bash with the
environment the previous ones left (so `. .venv/bin/activate` and `eval "$(...)"` carry over), in a
directory holding the repository's scenarios and virtual environment, with no Azure variables."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.docs.markdown import REPO

COMMAND_TIMEOUT_SECONDS = 180
READY_LINE = "Press Ctrl-C to stop."


@dataclass(frozen=True)
class Ran:
    command: str
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"$ {self.command}\nexit {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"


class Session:
    def __init__(self, directory: Path) -> None:
        venv = Path(sys.prefix)
        if not (venv / "bin" / "activate").exists():
            raise RuntimeError(f"the tests must run in a virtual environment (make test); {venv} has no bin/activate")
        (directory / "scenarios").symlink_to(REPO / "scenarios")
        (directory / ".venv").symlink_to(venv)
        self.directory = directory
        self._env_file = directory / ".session-env"
        drop = ("AZURE_", "PROVISION_", "VIRTUAL_ENV", "IDENTITY_", "MSI_", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
        self.env = {name: value for name, value in os.environ.items() if not name.startswith(drop)}

    def run(self, command: str, *, answer: str | None = None, stdin_text: str | None = None) -> Ran:
        """`command` in bash; `answer` is typed at a terminal (a pty on stdin) when it asks."""
        script = f'{command}\n__status=$?\nenv -0 > "{self._env_file}"\nexit $__status\n'
        master = slave = -1
        if answer is not None:
            master, slave = os.openpty()
            os.write(master, answer.encode() + b"\n")
        feed: dict[str, Any] = {"input": stdin_text} if stdin_text is not None else {"stdin": subprocess.DEVNULL}
        if answer is not None:
            feed = {"stdin": slave}
        try:
            done = subprocess.run(
                ["bash", "-c", script],
                cwd=self.directory,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT_SECONDS,
                check=False,
                **feed,
            )
        finally:
            for fd in (master, slave):
                if fd >= 0:
                    os.close(fd)
        if self._env_file.exists():
            entries = self._env_file.read_text().split("\0")
            self.env = dict(entry.split("=", 1) for entry in entries if "=" in entry)
        return Ran(command, done.returncode, done.stdout, done.stderr)

    def start(self, command: str) -> subprocess.Popen[str]:
        """A foreground server (`provision cloud start`) in the background, once it says it serves."""
        server = subprocess.Popen(
            ["bash", "-c", command],
            cwd=self.directory,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert server.stdout is not None
        printed = []
        for line in server.stdout:
            printed.append(line)
            if line.strip() == READY_LINE:
                return server
        server.wait(timeout=COMMAND_TIMEOUT_SECONDS)
        raise AssertionError(f"$ {command} ended (exit {server.returncode}) without serving:\n{''.join(printed)}")
