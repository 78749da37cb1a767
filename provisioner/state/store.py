"""Local state files: `<state dir>/<deployment>.json`, written atomically (temp file, fsync, rename)."""

from __future__ import annotations

import glob
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from provisioner.errors import ConfigurationError, StateError
from provisioner.state.backend import StateBackend
from provisioner.state.history import History, history_keep, state_text
from provisioner.state.lock import DeploymentLock, LockHolder
from provisioner.state.model import DeploymentState

DEFAULT_STATE_DIR = Path(".provision/state")
DEPLOYMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")


def check_deployment_name(name: str) -> str:
    if not DEPLOYMENT_NAME.fullmatch(name):
        raise ConfigurationError(
            f"invalid deployment name '{name}': use up to 80 letters, digits, '_', '.' and '-', "
            "starting with a letter or digit"
        )
    return name


class DirectoryDocuments:
    """Documents as files under a directory, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def read_text(self, name: str) -> str | None:
        try:
            return (self.directory / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateError(f"cannot read state {self.directory / name}: {exc.strerror}") from None

    def write_text(self, name: str, text: str) -> None:
        try:
            _atomic_write(self.directory / name, text)
        except OSError as exc:
            raise StateError(f"cannot write state {self.directory / name}: {exc.strerror}") from None

    def names(self, prefix: str) -> list[str]:
        folder, _, stem = prefix.rpartition("/")
        where = self.directory / folder
        if not where.is_dir():
            return []
        return [f"{folder}/{path.name}" if folder else path.name for path in where.glob(f"{glob.escape(stem)}*")]

    def remove(self, name: str) -> None:
        (self.directory / name).unlink(missing_ok=True)


class StateStore:
    def __init__(self, directory: Path = DEFAULT_STATE_DIR) -> None:
        self.directory = directory
        self.history = History(DirectoryDocuments(directory), history_keep())

    def describe(self) -> str:
        return str(self.directory)

    def delete(self, deployment: str, *, keep_last: bool = True) -> None:
        if keep_last:
            self.history.before_delete(self.load(deployment))
        self.path(deployment).unlink(missing_ok=True)

    def path(self, deployment: str) -> Path:
        return self.directory / f"{check_deployment_name(deployment)}.json"

    def load(self, deployment: str) -> DeploymentState | None:
        path = self.path(deployment)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateError(f"cannot read state {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise StateError(f"{path}: state is not valid JSON ({exc})") from None
        return DeploymentState.from_json(data, str(path))

    def load_or_new(self, deployment: str) -> DeploymentState:
        return self.load(deployment) or DeploymentState(deployment=deployment)

    def save(self, state: DeploymentState) -> None:
        """Replace the document atomically: readers see the old or the new one, never a mix."""
        path = self.path(state.deployment)
        self.history.before_save(lambda: self.load(state.deployment), state)
        text = state_text(state)
        try:
            _atomic_write(path, text)
        except OSError as exc:
            raise StateError(f"cannot write state {path}: {exc.strerror}") from None

    def deployments(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(path.stem for path in self.directory.glob("*.json") if DEPLOYMENT_NAME.fullmatch(path.stem))

    def break_lock(self, deployment: str) -> LockHolder | None:
        """Remove the lock file (`state unlock --force`): who it named, or None if there was none."""
        path = self.directory / f"{check_deployment_name(deployment)}.lock"
        try:
            holder = LockHolder.parse(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        path.unlink(missing_ok=True)
        return holder or LockHolder(None, None, None, None)

    def lock(self, deployment: str, *, command: str, timeout: float = 0.0) -> DeploymentLock:
        return DeploymentLock(
            self.directory / f"{check_deployment_name(deployment)}.lock", deployment, command, timeout
        )


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class StateWriter:
    """The state of one run, shared by parallel steps: every edit is saved before the next begins."""

    def __init__(self, store: StateBackend, state: DeploymentState) -> None:
        self.store = store
        self.state = state
        self._lock = threading.Lock()

    @contextmanager
    def edit(self) -> Iterator[DeploymentState]:
        with self._lock:
            yield self.state
            self.state.touch()
            self.store.save(self.state)
