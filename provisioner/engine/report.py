"""What apply and destroy tell their caller: progress events while running, a report at the end."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from provisioner.errors import ProvisionError, status_and_code
from provisioner.plan.model import Action


class Progress(Protocol):
    """Receives step events from worker threads (implementations must be thread-safe)."""

    def started(self, address: str, action: Action) -> None: ...
    def finished(self, address: str, action: Action, detail: str) -> None: ...
    def failed(self, address: str, action: Action, failure: StepFailure) -> None: ...
    def note(self, address: str, message: str) -> None: ...


class NoProgress:
    def started(self, address: str, action: Action) -> None:
        pass

    def finished(self, address: str, action: Action, detail: str) -> None:
        pass

    def failed(self, address: str, action: Action, failure: StepFailure) -> None:
        pass

    def note(self, address: str, message: str) -> None:
        pass


@dataclass(frozen=True)
class StepFailure:
    address: str
    action: Action
    message: str
    status: int | None = None
    code: str | None = None

    @classmethod
    def of(cls, address: str, action: Action, error: BaseException) -> StepFailure:
        status, code = status_and_code(error)
        message = str(error) if isinstance(error, ProvisionError) else f"{type(error).__name__}: {error}"
        return cls(address, action, message, status, code)

    def describe(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.address} ({self.action.value}){code}: {self.message}"


@dataclass
class RunReport:
    """The outcome of an apply or a destroy."""

    done: list[tuple[str, Action]] = field(default_factory=list)
    failed: list[StepFailure] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    took_over_lock: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_started and not self.interrupted

    def summary_lines(self, verb: str) -> list[str]:
        writes = [item for item in self.done if item[1].writes]
        lines = [f"{verb}: {len(writes)} step(s) done, {len(self.failed)} failed, {len(self.not_started)} not started."]
        lines += [f"  done: {address} ({action.value})" for address, action in writes]
        lines += [f"  failed: {failure.describe()}" for failure in self.failed]
        lines += [f"  not started: {address}" for address in self.not_started]
        lines += [f"  left behind: {item}" for item in self.leftovers]
        if self.interrupted:
            lines.append("  interrupted: no new steps were started; the state records every finished step")
        return lines


class StepTracker:
    """Runs one step with progress events, recording it in the report (thread-safe)."""

    def __init__(self, report: RunReport, progress: Progress) -> None:
        self.report, self.progress = report, progress
        self._lock = threading.Lock()

    def run_one(self, address: str, action: Action, perform: Callable[[], str]) -> None:
        if action.writes:
            self.progress.started(address, action)
        try:
            detail = perform()
        except Exception as error:
            failure = StepFailure.of(address, action, error)
            with self._lock:
                self.report.failed.append(failure)
            self.progress.failed(address, action, failure)
            raise
        with self._lock:
            self.report.done.append((address, action))
        self.progress.finished(address, action, detail)
