"""The request log behind `GET /_cloud/requests`: counts by method, surface and operation."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

MAX_RECORDS = 20000  # a class of 100 members is ~10,000 calls
# Reads and writes count calls to the services themselves, not token issuance or the control API.
SERVICE_SURFACES = frozenset({"arm", "graph", "blob", "vault", "sql"})


@dataclass(frozen=True)
class RequestRecord:
    sequence: int
    time: float
    method: str
    path: str
    surface: str
    operation: str
    status: int
    api_version: str
    category: str  # reads | writes | deletes | other (token and control calls)
    statement: str = ""  # a TDS batch's T-SQL text (names, never tokens)


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=MAX_RECORDS)
        self._sequence = 0
        self._throttled = 0  # 429s since the last clear, also those the records have let go of

    def record(
        self,
        method: str,
        path: str,
        surface: str,
        operation: str,
        status: int,
        api_version: str,
        category: str | None = None,
        statement: str = "",
    ) -> None:
        """Log one call; `category` overrides the one its method implies (a SQL SELECT is a POST read)."""
        if surface not in SERVICE_SURFACES:
            category = "other"
        with self._lock:
            self._sequence += 1
            self._throttled += status == 429
            self._records.append(
                RequestRecord(
                    self._sequence,
                    time.time(),
                    method,
                    path,
                    surface,
                    operation,
                    status,
                    api_version,
                    category or category_of(method),
                    statement,
                )
            )

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._throttled = 0

    def summary(self, since: int = 0, include_records: bool = True) -> dict[str, Any]:
        """Counts of the requests after sequence number `since` (the `last` of an earlier summary)."""
        with self._lock:
            records = [record for record in self._records if record.sequence > since]
            last, throttled_total = self._sequence, self._throttled
        categories = Counter(record.category for record in records)
        return {
            "last": last,
            "total": len(records),
            "by_method": dict(Counter(record.method for record in records)),
            "reads": categories["reads"],
            "writes": categories["writes"],
            "deletes": categories["deletes"],
            "throttled": sum(record.status == 429 for record in records),
            "throttled_total": throttled_total,
            "by_surface": dict(Counter(record.surface for record in records)),
            "by_operation": dict(Counter(f"{record.method} {record.operation}" for record in records)),
            "records": [asdict(record) for record in records] if include_records else [],
        }


def category_of(method: str) -> str:
    if method in ("GET", "HEAD"):
        return "reads"
    if method == "DELETE":
        return "deletes"
    return "writes"
