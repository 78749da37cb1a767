"""One lock per deployment: `<deployment>.lock`, holding who has it (pid, host, command, since).

Mutual exclusion comes from `flock` on the file, which the operating system releases when its
holder dies (even by SIGKILL). A lock file whose flock is free is therefore stale: its recorded
holder is gone, and the next apply or destroy takes it over and says so.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from provisioner.errors import LockHeldError, StateError

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    host: str | None
    command: str | None
    started: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "another process"
        command = f" ({self.command})" if self.command else ""
        return f"pid {self.pid} on {self.host}{command} since {self.started}"

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        try:
            data: Any = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        pid = data.get("pid")
        return cls(pid if isinstance(pid, int) else None, data.get("host"), data.get("command"), data.get("started"))


def held_message(deployment: str, holder: LockHolder | None, where: str) -> str:
    who = (holder or LockHolder(None, None, None, None)).describe()
    return (
        f"deployment '{deployment}' is locked by {who} ({where}); wait for it to finish, "
        "or pass --lock-timeout SECONDS to wait"
    )


class HeldLock:
    """`with lock:` acquires and releases; subclasses say how."""

    def acquire(self) -> None:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()


class DeploymentLock(HeldLock):
    def __init__(self, path: Path, deployment: str, command: str, timeout: float = 0.0) -> None:
        self.path = path
        self.deployment = deployment
        self.command = command
        self.timeout = timeout
        self.took_over: LockHolder | None = None  # the dead holder of a stale lock we replaced
        self._descriptor: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.timeout
        while True:
            descriptor = self._try_lock()
            if descriptor is not None:
                self._claim(descriptor)
                return
            if time.monotonic() >= deadline:
                raise LockHeldError(self._held_message())
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        if self._descriptor is None:
            return
        self.path.unlink(missing_ok=True)  # before unlocking: a waiter then re-opens a fresh file
        os.close(self._descriptor)
        self._descriptor = None

    def _try_lock(self) -> int | None:
        """A descriptor holding the flock of the file now at `path`, or None if someone holds it."""
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StateError(f"cannot open lock {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        if not _same_file(descriptor, self.path):  # released and removed while we opened it
            os.close(descriptor)
            return self._try_lock()
        return descriptor

    def _claim(self, descriptor: int) -> None:
        previous = os.pread(descriptor, 4096, 0).decode("utf-8", "replace")
        if previous.strip():
            self.took_over = LockHolder.parse(previous) or LockHolder(None, None, None, None)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self.command,
            "deployment": self.deployment,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(record).encode(), 0)
        os.fsync(descriptor)
        self._descriptor = descriptor

    def _held_message(self) -> str:
        try:
            holder = LockHolder.parse(self.path.read_text(encoding="utf-8"))
        except OSError:
            holder = None
        return held_message(self.deployment, holder, str(self.path))


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(descriptor)
    return (mine.st_ino, mine.st_dev) == (on_disk.st_ino, on_disk.st_dev)
