"""A fleet's progress: in a terminal one line per member (a compact table past a screenful) with its done,
running and failed steps and an ETA, and the overall throughput; plain lines otherwise."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from provisioner.cli.progress_view import PlainProgress
from provisioner.engine.report import NoProgress, Progress, StepFailure
from provisioner.execution.executor import GROUP_SEPARATOR
from provisioner.plan.model import Action


class MemberProgress:
    """One member's events, passed on with the member's name in front of each address; keeps its timings."""

    def __init__(self, inner: Progress, member: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.inner, self.member, self.clock = inner, member, clock
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.first: float | None = None
        self.last: float | None = None

    def _name(self, address: str) -> str:
        return f"{self.member}{GROUP_SEPARATOR}{address}"

    def started(self, address: str, action: Action) -> None:
        with self._lock:
            now = self.clock()
            self._started[address] = now
            self.first = now if self.first is None else self.first
        self.inner.started(self._name(address), action)

    def finished(self, address: str, action: Action, detail: str) -> None:
        self._end(address)
        self.inner.finished(self._name(address), action, detail)

    def failed(self, address: str, action: Action, failure: StepFailure) -> None:
        self._end(address)
        self.inner.failed(self._name(address), action, failure)

    def note(self, address: str, message: str) -> None:
        self.inner.note(self._name(address), message)

    def _end(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            if address in self._started:
                self.seconds[address] = round(now - self._started.pop(address), 3)
            self.last = now

    @property
    def wall_seconds(self) -> float:
        return round(self.last - self.first, 3) if self.first is not None and self.last is not None else 0.0


@dataclass
class _Member:
    total: int
    done: int = 0
    failed: int = 0
    running: set[str] = field(default_factory=set)
    detail: str = ""


_RowView = tuple[int, int, int, list[str], str]  # total, done, failed, running steps, detail


class FleetLiveProgress:
    """Member rows redrawn in place; the footer has the steps done, the throughput and the ETA."""

    def __init__(self, console: Console, totals: Mapping[str, int]) -> None:
        self.console = console
        self._lock = threading.Lock()
        self._members = {name: _Member(total) for name, total in totals.items()}
        self._begun = time.monotonic()
        self.live = Live(self._table(), console=console, refresh_per_second=4, transient=False)

    def started(self, address: str, action: Action) -> None:
        self._change(address, lambda row, step: row.running.add(step))

    def finished(self, address: str, action: Action, detail: str) -> None:
        if action.writes:
            self._change(address, lambda row, step: _count(row, step, failed=False))

    def failed(self, address: str, action: Action, failure: StepFailure) -> None:
        code = f"[{failure.code}] " if failure.code else ""

        def record(row: _Member, step: str) -> None:
            _count(row, step, failed=True)
            row.detail = f"{step}: {code}{failure.message}"[:120]

        self._change(address, record)

    def note(self, address: str, message: str) -> None:
        self._change(address, lambda row, step: setattr(row, "detail", f"{step}: {message}"[:120]))

    def _change(self, address: str, change: Callable[[_Member, str], None]) -> None:
        member, _, step = address.partition(GROUP_SEPARATOR)
        with self._lock:
            row = self._members.setdefault(member, _Member(0))
            change(row, step)
        self.live.update(self._table())

    def _table(self) -> Table:
        with self._lock:
            rows = {name: (row.total, row.done, row.failed, sorted(row.running), row.detail)
                    for name, row in self._members.items()}  # fmt: skip
        elapsed = max(time.monotonic() - self._begun, 1e-6)
        done = sum(row[1] for row in rows.values())
        remaining = sum(max(row[0] - row[1] - row[2], 0) for row in rows.values())
        rate = done / elapsed
        table = Table(box=None, header_style="bold", caption=_footer(done, remaining, rate, len(rows)))
        for column in ("member", "done", "running", "failed", "ETA", "now"):
            table.add_column(column)
        visible = self._visible(rows)
        for name, (total, ok, failed, running, detail) in visible:
            left = max(total - ok - failed, 0)
            eta = "-" if not left or failed else (f"{left / rate:.0f}s" if rate else "?")
            style = "bold red" if failed else ("green" if not left else "yellow")
            table.add_row(
                Text(name, style=style), f"{ok}/{total}", str(len(running)), str(failed), eta,
                detail if failed else ", ".join(running),
            )  # fmt: skip
        if len(visible) < len(rows):
            table.add_row(Text(f"... {len(rows) - len(visible)} more", style="dim"), "", "", "", "", "waiting or done")
        return table

    def _visible(
        self, rows: dict[str, tuple[int, int, int, list[str], str]]
    ) -> list[tuple[str, tuple[int, int, int, list[str], str]]]:
        """Every member while they fit on the screen; past that the failed and running ones first."""
        room = max(self.console.height - 5, 3)
        items = list(rows.items())
        if len(items) <= room:
            return items
        busy = [item for item in items if item[1][2] or item[1][3]]
        busy.sort(key=lambda item: not item[1][2])
        return busy[:room]


def _count(row: _Member, step: str, *, failed: bool) -> None:
    row.running.discard(step)
    if failed:
        row.failed += 1
    else:
        row.done += 1


def _footer(done: int, remaining: int, rate: float, members: int) -> str:
    eta = f", ETA {remaining / rate:.0f}s" if rate and remaining else ""
    return f"{members} members: {done} steps done, {remaining} to go, {rate:.1f} steps/s{eta}"


@contextmanager
def fleet_progress_view(totals: Mapping[str, int], *, quiet: bool = False) -> Iterator[Progress]:
    """A live member table on a terminal, plain lines otherwise (nothing at all when `quiet`: --json)."""
    if quiet:
        yield NoProgress()
        return
    console = Console()
    if not console.is_terminal:
        yield PlainProgress()
        return
    view = FleetLiveProgress(console, totals)
    with view.live:
        yield view
