"""The last N versions of a deployment's state: `history/<deployment>.v<n>.json` beside the documents.

A run that changes a deployment first keeps the document it started from (once per run, not per
step), and removing a deployment's state keeps its last document, so a destroyed or `state rm`'d
deployment can still be read back. `n` only grows; the oldest copies beyond PROVISION_STATE_HISTORY
(default 5, 0 keeps none) are removed. `state mv` moves the copies with the document, `state
migrate` copies them. Both backends keep history this way, so `state migrate`
carries it unchanged; blob versioning would exist only in one of them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from provisioner.errors import ConfigurationError, StateError
from provisioner.state.model import DeploymentState

HISTORY_VARIABLE = "PROVISION_STATE_HISTORY"
DEFAULT_KEEP = 5
HISTORY_PREFIX = "history/"


class Documents(Protocol):
    """Named text documents under one root (a directory, a container prefix)."""

    def read_text(self, name: str) -> str | None: ...

    def write_text(self, name: str, text: str) -> None: ...

    def names(self, prefix: str) -> list[str]: ...

    def remove(self, name: str) -> None: ...


def history_keep() -> int:
    raw = os.environ.get(HISTORY_VARIABLE, str(DEFAULT_KEEP))
    try:
        keep = int(raw)
    except ValueError:
        keep = -1
    if not 0 <= keep <= 100:
        raise ConfigurationError(f"{HISTORY_VARIABLE}={raw!r}: use a number of versions from 0 to 100")
    return keep


def state_text(state: DeploymentState) -> str:
    return json.dumps(state.to_json(), indent=2) + "\n"


@dataclass(frozen=True)
class Version:
    number: int
    state: DeploymentState


def _content(state: DeploymentState) -> dict[str, object]:
    document = state.to_json()
    del document["serial"], document["updated"]
    return document


class History:
    def __init__(self, documents: Documents, keep: int) -> None:
        self.documents = documents
        self.keep = keep
        self._kept: set[str] = set()  # deployments whose starting document this run has kept

    def before_save(self, stored: Callable[[], DeploymentState | None], new: DeploymentState) -> None:
        """Keep the document a run started from (`stored()`), once, when the run first changes it."""
        if new.deployment in self._kept:
            return
        previous = stored()
        if previous is None or _content(previous) == _content(new):
            return
        self.keep_version(previous)
        self._kept.add(new.deployment)

    def before_delete(self, previous: DeploymentState | None) -> None:
        """Keep a removed document that still records something (a destroyed one records nothing)."""
        if previous is not None and (previous.resources or previous.outputs):
            self.keep_version(previous)
        if previous is not None:
            self._kept.discard(previous.deployment)

    def _name(self, deployment: str, number: int) -> str:
        return f"{HISTORY_PREFIX}{deployment}.v{number}.json"

    def numbers(self, deployment: str) -> list[int]:
        """The versions kept, newest first."""
        pattern = re.compile(re.escape(f"{HISTORY_PREFIX}{deployment}.v") + r"([0-9]{1,9})\.json")
        found = (pattern.fullmatch(name) for name in self.documents.names(f"{HISTORY_PREFIX}{deployment}.v"))
        return sorted((int(match.group(1)) for match in found if match), reverse=True)

    def keep_version(self, state: DeploymentState) -> None:
        if self.keep == 0:
            return
        numbers = self.numbers(state.deployment)
        self.documents.write_text(self._name(state.deployment, (numbers[0] if numbers else 0) + 1), state_text(state))
        for old in numbers[self.keep - 1 :]:
            self.documents.remove(self._name(state.deployment, old))

    def load(self, deployment: str, number: int) -> DeploymentState:
        name = self._name(deployment, number)
        text = self.documents.read_text(name)
        if text is None:
            kept = ", ".join(f"v{n}" for n in self.numbers(deployment)) or "none"
            raise StateError(f"deployment '{deployment}' has no state version v{number} (kept: {kept})")
        try:
            return DeploymentState.from_json(json.loads(text), name)
        except ValueError as exc:
            raise StateError(f"{name}: state is not valid JSON ({exc})") from None

    def versions(self, deployment: str) -> list[Version]:
        return [Version(number, self.load(deployment, number)) for number in self.numbers(deployment)]

    def copy_to(self, other: History, deployment: str, new_name: str | None = None) -> None:
        """Give `other` this deployment's versions, oldest first (as `new_name` if given)."""
        for version in reversed(self.versions(deployment)):
            if new_name is not None:
                version.state.deployment = new_name
            other.documents.write_text(other._name(version.state.deployment, version.number), state_text(version.state))

    def drop(self, deployment: str) -> None:
        for number in self.numbers(deployment):
            self.documents.remove(self._name(deployment, number))
