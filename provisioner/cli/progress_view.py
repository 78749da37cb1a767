"""Showing apply and destroy progress: a live table in a terminal, plain lines otherwise."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from provisioner.engine.report import Progress, StepFailure
from provisioner.plan.model import Action

VERBS = {
    Action.CREATE: "creating",
    Action.UPDATE: "updating",
    Action.REPLACE: "replacing",
    Action.DELETE: "destroying",
}


class PlainProgress:
    """One line per event, for logs and pipelines."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}

    def started(self, address: str, action: Action) -> None:
        with self._lock:
            self._started[address] = time.monotonic()
        self._echo(f"{address}: {VERBS.get(action, action.value)}...")

    def finished(self, address: str, action: Action, detail: str) -> None:
        if not action.writes:
            return
        self._echo(f"{address}: {detail} ({self._elapsed(address)})")

    def failed(self, address: str, action: Action, failure: StepFailure) -> None:
        code = f" [{failure.code}]" if failure.code else ""
        self._echo(f"{address}: FAILED{code} after {self._elapsed(address)}: {failure.message}")

    def note(self, address: str, message: str) -> None:
        self._echo(f"{address}: {message}")

    def _elapsed(self, address: str) -> str:
        with self._lock:
            started = self._started.get(address, time.monotonic())
        return f"{time.monotonic() - started:.1f}s"

    def _echo(self, line: str) -> None:
        with self._lock:
            click.echo(line)


@dataclass
class _Row:
    action: Action
    status: str
    started: float
    detail: str = ""
    ended: float | None = None


class LiveProgress:
    """A table of steps (running, done, failed) redrawn in place."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._lock = threading.Lock()
        self._rows: dict[str, _Row] = {}
        self.live = Live(self._table(), console=console, refresh_per_second=8, transient=False)

    def started(self, address: str, action: Action) -> None:
        self._set(address, _Row(action, "running", time.monotonic(), VERBS.get(action, action.value)))

    def finished(self, address: str, action: Action, detail: str) -> None:
        if action.writes:
            self._end(address, "done", detail)

    def failed(self, address: str, action: Action, failure: StepFailure) -> None:
        code = f"[{failure.code}] " if failure.code else ""
        self._end(address, "failed", code + failure.message)

    def note(self, address: str, message: str) -> None:
        with self._lock:
            row = self._rows.get(address)
            if row is not None:
                row.detail = message
        self._refresh()

    def _set(self, address: str, row: _Row) -> None:
        with self._lock:
            self._rows[address] = row
        self._refresh()

    def _end(self, address: str, status: str, detail: str) -> None:
        with self._lock:
            row = self._rows.setdefault(address, _Row(Action.NO_OP, status, time.monotonic()))
            row.status, row.detail, row.ended = status, detail, time.monotonic()
        self._refresh()

    def _refresh(self) -> None:
        self.live.update(self._table())

    def _table(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold")
        for column in ("resource", "action", "status", "time", "detail"):
            table.add_column(column)
        styles = {"running": "yellow", "done": "green", "failed": "bold red"}
        with self._lock:
            rows = list(self._rows.items())
        for address, row in rows:
            elapsed = (row.ended or time.monotonic()) - row.started
            status = Text(row.status, style=styles.get(row.status, ""))
            table.add_row(address, row.action.value, status, f"{elapsed:.1f}s", row.detail)
        return table


@contextmanager
def progress_view() -> Iterator[Progress]:
    console = Console()
    if not console.is_terminal:
        yield PlainProgress()
        return
    view = LiveProgress(console)
    with view.live:
        yield view
