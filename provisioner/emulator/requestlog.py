"""The request log behind `GET /_cloud/requests`: counts by method, surface and operation."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

MAX_RECORDS = 5000
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


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=MAX_RECORDS)
        self._sequence = 0

    def record(self, method: str, path: str, surface: str, operation: str, status: int, api_version: str) -> None:
        with self._lock:
            self._sequence += 1
            self._records.append(
                RequestRecord(self._sequence, time.time(), method, path, surface, operation, status, api_version)
            )

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def summary(self, since: int = 0, include_records: bool = True) -> dict[str, Any]:
        """Counts of the requests after sequence number `since` (the `last` of an earlier summary)."""
        with self._lock:
            records = [record for record in self._records if record.sequence > since]
            last = self._sequence
        service_methods = Counter(record.method for record in records if record.surface in SERVICE_SURFACES)
        return {
            "last": last,
            "total": len(records),
            "by_method": dict(Counter(record.method for record in records)),
            "reads": service_methods["GET"] + service_methods["HEAD"],
            "writes": service_methods["PUT"] + service_methods["PATCH"] + service_methods["POST"],
            "deletes": service_methods["DELETE"],
            "by_surface": dict(Counter(record.surface for record in records)),
            "by_operation": dict(Counter(f"{record.method} {record.operation}" for record in records)),
            "records": [asdict(record) for record in records] if include_records else [],
        }
