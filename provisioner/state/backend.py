"""Where deployment state lives: a `StateBackend` (the local directory or a blob container) chosen by
`--state` / PROVISION_STATE, and the lock every backend hands out."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Protocol

from provisioner.state.history import History
from provisioner.state.lock import LockHolder
from provisioner.state.model import DeploymentState

STATE_VARIABLE = "PROVISION_STATE"
BLOB_SCHEME = "azblob://"


class StateLock(Protocol):
    took_over: LockHolder | None

    def __enter__(self) -> StateLock: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...


class StateBackend(Protocol):
    """Load, save (guarded against concurrent writers), list and delete state documents; lock them.

    `delete` keeps the removed document in `history` unless `keep_last` is false.
    """

    history: History

    def describe(self) -> str: ...

    def load(self, deployment: str) -> DeploymentState | None: ...

    def load_or_new(self, deployment: str) -> DeploymentState: ...

    def save(self, state: DeploymentState) -> None: ...

    def deployments(self) -> list[str]: ...

    def delete(self, deployment: str, *, keep_last: bool = True) -> None: ...

    def lock(self, deployment: str, *, command: str, timeout: float = 0.0) -> StateLock: ...

    def break_lock(self, deployment: str) -> LockHolder | None: ...


def state_location(given: str | None, state_dir: Path) -> str:
    """`--state` if given, else PROVISION_STATE, else the --state-dir directory."""
    return given or os.environ.get(STATE_VARIABLE) or str(state_dir)


def is_blob_location(location: str) -> bool:
    return location.startswith(BLOB_SCHEME)
