"""Faults the local cloud can inject: latency, throttling (ARM's token buckets and a random 429 rate),
500/503 answers, replication delay for new service principals, RBAC propagation delay for new role
assignments, and the length of async operations.
Set at start (`provision cloud start --latency-ms ...`) or through `PUT /_cloud/faults`.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.throttling import Buckets


@dataclass
class FaultSettings:
    latency_ms: float = 0.0
    throttle: bool = False  # enforce ARM's token buckets
    throttle_rate: float = 0.0  # fraction of ARM/Graph calls answered 429 at random
    error_rate: float = 0.0  # fraction of ARM/Graph calls answered 500 or 503 at random
    replication_delay: float = 0.0  # seconds a new service principal stays invisible to ARM
    rbac_delay: float = 0.0  # seconds a new role assignment takes before authorization decisions count it
    async_polls: int = 1  # polls before an asynchronous operation reports its end
    seed: int | None = None
    # Bucket sizes (burst, refill per second): Azure's by default, see core/throttling.py.
    reads_burst: float = 250.0
    reads_refill: float = 25.0
    writes_burst: float = 200.0
    writes_refill: float = 10.0
    deletes_burst: float = 200.0
    deletes_refill: float = 10.0
    graph_units_burst: float = 3500.0
    graph_units_refill: float = 350.0
    graph_writes_burst: float = 3000.0
    graph_writes_refill: float = 20.0

    def bucket(self, kind: str) -> tuple[float, float]:
        """(burst, refill per second) of `reads`, `writes`, `deletes`, `graph_units` or `graph_writes`."""
        return float(getattr(self, f"{kind}_burst")), float(getattr(self, f"{kind}_refill"))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update, checking names and types (400 on anything else)."""
        known = {field.name: field for field in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise CloudServiceError(400, "InvalidFault", f"Unknown fault '{name}'. Known: {', '.join(known)}.")
            current = getattr(self, name)
            setattr(self, name, _coerce(name, value, current))
        if not 0 <= self.error_rate <= 1 or not 0 <= self.throttle_rate <= 1:
            raise CloudServiceError(400, "InvalidFault", "Rates must be between 0 and 1.")
        if self.async_polls < 1:
            raise CloudServiceError(400, "InvalidFault", "async_polls must be at least 1.")
        sizes = [field.name for field in fields(self) if field.name.endswith(("_burst", "_refill"))]
        if any(getattr(self, name) <= 0 for name in sizes):
            raise CloudServiceError(400, "InvalidFault", "Bucket sizes and refill rates must be above 0.")


def _coerce(name: str, value: Any, current: Any) -> Any:
    if name == "seed":
        return None if value is None else int(value)
    try:
        if isinstance(current, bool):
            if not isinstance(value, bool):
                raise TypeError
            return value
        if isinstance(current, int):
            return int(value)
        return float(value)
    except (TypeError, ValueError) as exc:
        raise CloudServiceError(400, "InvalidFault", f"Fault '{name}' has an invalid value {value!r}.") from exc


class Faults:
    """The live fault settings plus the state they need (buckets, random source)."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self.settings = settings or FaultSettings()
        self._lock = threading.Lock()
        self.buckets = Buckets(self._bucket_limits)
        self._random = random.Random(self.settings.seed)

    def update(self, changes: dict[str, Any]) -> None:
        with self._lock:
            self.settings.update(changes)
            if "seed" in changes:
                self._random = random.Random(self.settings.seed)
        self.buckets.clear()

    def _bucket_limits(self, kind: str) -> tuple[float, float]:
        return self.settings.bucket(kind)  # the settings of the moment, changed by PUT /_cloud/faults

    def roll(self) -> str | None:
        """'throttle', 'error' or None for one ARM/Graph call, by the configured rates."""
        with self._lock:
            draw = self._random.random()
            if draw < self.settings.throttle_rate:
                return "throttle"
            if draw < self.settings.throttle_rate + self.settings.error_rate:
                return "error"
            return None

    def error_status(self) -> int:
        with self._lock:
            return self._random.choice((500, 503))
