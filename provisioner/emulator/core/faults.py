"""Faults the local cloud can inject: latency, throttling (ARM's token buckets and a random 429 rate),
500/503 answers, replication delay for new service principals, RBAC propagation delay for new role
assignments, and the length of async operations.
Set at start (`provision cloud start --latency-ms ...`) or through `PUT /_cloud/faults`.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError

# ARM's per-subscription limits: (burst, refill per second).
BUCKET_LIMITS = {"reads": (250.0, 25.0), "writes": (200.0, 10.0), "deletes": (200.0, 10.0)}


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


class TokenBucket:
    def __init__(self, capacity: float, refill_per_second: float) -> None:
        self.capacity = capacity
        self.refill = refill_per_second
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until one token is back)."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True, int(self.tokens), 0.0
        return False, 0, (1 - self.tokens) / self.refill


class Faults:
    """The live fault settings plus the state they need (buckets, random source)."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self.settings = settings or FaultSettings()
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._random = random.Random(self.settings.seed)

    def update(self, changes: dict[str, Any]) -> None:
        with self._lock:
            self.settings.update(changes)
            if "seed" in changes:
                self._random = random.Random(self.settings.seed)
            self._buckets.clear()

    def take_token(self, subscription: str, category: str) -> tuple[bool, int, float]:
        with self._lock:
            key = (subscription.lower(), category)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(*BUCKET_LIMITS[category])
            return bucket.take()

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
