"""ARM's and Graph's token buckets, as Azure keeps them (with `throttle` on, an empty one answers 429).

- ARM (request-limits-and-throttling): per subscription, per principal and per operation type (GET /
  HEAD reads, DELETE deletes, anything else writes), reads 250 burst / 25 per second, writes and
  deletes 200 / 10; plus a global bucket per subscription and type, 15 times a principal's, shared by
  every principal. Answers carry `x-ms-ratelimit-remaining-subscription-{type}` and
  `x-ms-ratelimit-remaining-subscription-global-{type}`.
- Graph (throttling-limits, identity and access): per app and tenant, 3,500 resource units per 10 s
  (a small tenant's: burst 3,500, 350 per second; GET of a group's members costs 3, transitive
  members 5, anything else 1) and 3,000 writes per 2.5 minutes (burst 3,000, 20 per second). Answers
  carry `x-ms-resource-unit`, and `x-ms-throttle-limit-percentage` past 80 % of the limit; a 429
  carries `x-ms-throttle-scope` and `x-ms-throttle-information`.

The sizes are fault settings (`reads_burst`, `reads_refill`, ..., `graph_writes_refill`) so tests
can use tiny buckets.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from provisioner.emulator.core.errors import CloudServiceError

GLOBAL_FACTOR = 15.0
Key = tuple[str, ...]
Wanted = dict[Key, tuple[float, float, float]]  # bucket -> (burst, refill per second, cost)
_MEMBERS = re.compile(r"/groups/[^/]+/(members|transitivemembers)(/|$)", re.IGNORECASE)


@dataclass
class Taken:
    """One request's outcome: the headers to add, or the 429 to answer."""

    headers: dict[str, str]
    refusal: CloudServiceError | None = None


class TokenBucket:
    def __init__(self, capacity: float, refill_per_second: float, now: float) -> None:
        self.capacity = capacity
        self.refill = refill_per_second
        self.tokens = capacity
        self.stamp = now

    def level(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill)
        self.stamp = now
        return self.tokens

    def wait_for(self, cost: float) -> float:
        """Seconds until `cost` tokens are back (after `level`)."""
        return max(cost - self.tokens, 0.0) / self.refill


class Buckets:
    """Every bucket of the cloud (thread-safe); `limits(kind)` gives a kind's (burst, refill)."""

    def __init__(self, limits: Callable[[str], tuple[float, float]], clock: Callable[[], float] = time.monotonic):
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[Key, TokenBucket] = {}

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def take(self, wanted: Wanted) -> tuple[dict[Key, float], float]:
        """Take each key's cost (key -> (burst, refill, cost)) if every bucket has it; else none.
        (levels after the take, seconds to wait: 0 when taken)."""
        with self._lock:
            now = self._clock()
            buckets = {key: self._bucket(key, burst, refill, now) for key, (burst, refill, _) in wanted.items()}
            levels = {key: bucket.level(now) for key, bucket in buckets.items()}
            short = [buckets[key].wait_for(wanted[key][2]) for key in buckets if levels[key] < wanted[key][2]]
            if short:
                return levels, max(short)
            for key, bucket in buckets.items():
                bucket.tokens -= wanted[key][2]
                levels[key] = bucket.tokens
            return levels, 0.0

    def _bucket(self, key: Key, burst: float, refill: float, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.capacity != burst or bucket.refill != refill:
            bucket = self._buckets[key] = TokenBucket(burst, refill, now)
        return bucket

    def arm(self, subscription: str, principal: str, category: str, enforce: bool) -> Taken:
        burst, refill = self._limits(category)
        sub = subscription.lower()
        own, shared = ("arm", sub, principal, category), ("arm", sub, "*", category)
        wanted: Wanted = {own: (burst, refill, 1.0), shared: (burst * GLOBAL_FACTOR, refill * GLOBAL_FACTOR, 1.0)}
        levels, wait = self.take(wanted)
        headers = {
            f"x-ms-ratelimit-remaining-subscription-{category}": str(int(levels[own]) if not wait else 0),
            f"x-ms-ratelimit-remaining-subscription-global-{category}": str(int(levels[shared]) if not wait else 0),
        }
        if not wait:
            return Taken(headers)
        if not enforce:  # the counts are kept (and shown) but nothing is refused
            return Taken(headers)
        operation = {"reads": "Read", "writes": "Write", "deletes": "Delete"}[category]
        return Taken(
            headers,
            CloudServiceError(
                429,
                "TooManyRequests",
                f"The request is being throttled as the limit has been reached for operation type - "
                f"{operation}_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits",
                headers={"Retry-After": str(max(1, int(wait + 0.999))), **headers},
            ),
        )

    def graph(self, tenant: str, app: str, method: str, path: str, enforce: bool) -> Taken:
        units = (
            1.0
            if method != "GET" or not (found := _MEMBERS.search(path))
            else (5.0 if found[1].lower().startswith("t") else 3.0)
        )
        units_burst, units_refill = self._limits("graph_units")
        wanted: Wanted = {("graph", tenant, app, "units"): (units_burst, units_refill, units)}
        if method != "GET":
            writes_burst, writes_refill = self._limits("graph_writes")
            wanted[("graph", tenant, app, "writes")] = (writes_burst, writes_refill, 1.0)
        levels, wait = self.take(wanted)
        headers = {"x-ms-resource-unit": str(int(units))}
        used = max(1.0 - levels[key] / wanted[key][0] for key in wanted) if not wait else 1.0
        if used > 0.8:
            headers["x-ms-throttle-limit-percentage"] = f"{min(used, 1.8):.1f}"
        if not wait or not enforce:
            return Taken(headers)
        short = next(key for key in wanted if levels[key] < wanted[key][2])
        return Taken(
            headers,
            CloudServiceError(
                429,
                "TooManyRequests",
                "Too many requests.",
                headers={
                    "Retry-After": str(max(1, int(wait + 0.999))),
                    "x-ms-throttle-scope": f"Tenant_Application/ReadWrite/{app}/{tenant}",
                    "x-ms-throttle-information": "WriteLimitExceeded"
                    if short[-1] == "writes"
                    else "ResourceUnitLimitExceeded",
                },
            ),
        )
