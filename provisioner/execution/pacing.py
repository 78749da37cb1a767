"""Pacing to Azure's limits instead of to its 429s: client-side token buckets shared by every client.

ARM keeps a token bucket per subscription (and principal) for reads, writes and deletes (burst 250 /
refill 25 per second for reads, 200 / 10 for writes and deletes) and a global one per subscription
15 times as large; Graph's identity service one per app and tenant in resource units (3,500 per 10 s
for a small tenant) and writes (3,000 per 150 s). The pacer keeps the same buckets on this side and
makes each request wait for its token *before* it is sent, so a fleet's hundreds of requests spread
over the refill rate instead of bursting into 429s and blind backoff.

A request takes a place in its buckets' queues and waits (never under the lock) until the tokens of
those ahead of it and its own are back, so waiting callers are served in order. Each answer keeps
the buckets in step with the server: a lower `x-ms-ratelimit-remaining-*` than the local count
(another process, or a server that started with less) lowers it, and the requests still waiting
wait longer; a 429 that says a bucket is empty (remaining 0) holds that bucket empty for its
Retry-After, for every caller (a resource provider's own 429, with tokens left, is only retried by
the SDK, as before).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from provisioner.errors import ConfigurationError
from provisioner.execution.retry import Clock

PACE_VARIABLE = "PROVISION_PACE"
GLOBAL_FACTOR = 15.0  # ARM's global subscription buckets are 15 times a principal's


@dataclass(frozen=True)
class Limit:
    """A token bucket's size: `burst` tokens, refilled at `rate` per second."""

    burst: float
    rate: float

    def __str__(self) -> str:
        return f"{self.rate:g}/s,{self.burst:g}"


# Azure's published defaults (request-limits-and-throttling; Graph's throttling-limits, identity service).
LIMITS: Mapping[str, Limit] = {
    "arm-reads": Limit(250, 25),
    "arm-writes": Limit(200, 10),
    "arm-deletes": Limit(200, 10),
    "graph-units": Limit(3500, 350),  # resource units per app and tenant, a small tenant's
    "graph-writes": Limit(3000, 20),  # 3,000 writes per 2.5 minutes per app and tenant
}


@dataclass(frozen=True)
class PaceSettings:
    """Which limits the pacer keeps; `enabled=False` sends every request at once."""

    limits: Mapping[str, Limit] = field(default_factory=lambda: dict(LIMITS))
    enabled: bool = True
    jitter: float = 0.5
    """Seconds of delay on the way to the server that pacing absorbs. A request the server has not
    seen yet cannot take from its bucket, and a full bucket refills no further: requests delayed on
    the way (a TLS handshake, a busy machine) and then arriving together would find fewer tokens
    than were released for them. So each request leaves `jitter` seconds of refill in its bucket
    (at most all but one token): 5 of ARM's 200 writes, 12.5 of its 250 reads."""

    def headroom(self, limit: Limit) -> float:
        return min(self.jitter * limit.rate, limit.burst - 1)

    def describe(self) -> str:
        if not self.enabled:
            return "off"
        return " ".join(f"{name}={limit}" for name, limit in self.limits.items())


_ENTRY = re.compile(r"^(?P<name>[a-z-]+)=(?P<rate>\d+(\.\d+)?)/s(,(?P<burst>\d+(\.\d+)?))?$")


def parse_pace(entries: Iterable[str], base: PaceSettings | None = None) -> PaceSettings:
    """`off`, or `NAME=RATE/s[,BURST]` entries (also several in one, separated by `;` or spaces)."""
    settings = base or PaceSettings()
    limits = dict(settings.limits)
    for entry in (part for text in entries for part in re.split(r"[;\s]+", text.strip()) if part):
        if entry == "off":
            settings = replace(settings, enabled=False)
            continue
        if entry == "on":
            settings = replace(settings, enabled=True)
            continue
        found = _ENTRY.match(entry)
        if found is None or found["name"] not in LIMITS:
            raise ConfigurationError(
                f"--pace {entry!r}: expected off, or NAME=RATE/s[,BURST] with NAME one of {', '.join(LIMITS)} "
                "(e.g. arm-writes=10/s,200)"
            )
        rate = float(found["rate"])
        burst = float(found["burst"]) if found["burst"] else limits[found["name"]].burst
        if rate <= 0 or burst < 1:
            raise ConfigurationError(f"--pace {entry!r}: the rate must be above 0 and the burst at least 1")
        limits[found["name"]] = Limit(burst, rate)
    return replace(settings, limits=limits)


class TokenBucket:
    """One bucket and the queue of requests waiting for it. Not thread-safe by itself: the Pacer's
    lock guards every bucket. `tokens` counts what was sent; waiting requests hold a place in the
    queue (`position`: the costs queued up to and including theirs) and take tokens only as they go.
    Until the first answer the bucket does not refill: the server's own bucket starts with our first
    request's arrival, which may be long after our first reservation (a TLS handshake, a token)."""

    def __init__(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self.tokens = limit.burst
        self.stamp = now
        self.held_until = now
        self.synced = False
        self.queued = 0.0  # costs ever queued
        self.gone = 0.0  # costs of queued requests that went (or gave up)
        self.in_flight = 0.0  # tokens of requests sent and not answered yet

    def refill(self, now: float) -> None:
        if now > self.stamp:
            if self.synced:
                self.tokens = min(self.limit.burst, self.tokens + (now - self.stamp) * self.limit.rate)
            self.stamp = now

    def enqueue(self, cost: float) -> float:
        self.queued += cost
        return self.queued

    def delay(self, position: float, cost: float, now: float, headroom: float) -> float:
        """Seconds before the request at `position` may go, keeping `headroom` tokens (0: now)."""
        self.refill(now)
        ahead = max(position - self.gone, cost)  # this request and those queued before it
        short = ahead + headroom - self.tokens
        wait = max(short / self.limit.rate if short > 0 else 0.0, self.held_until - now)
        return wait if wait > 1e-9 else 0.0  # not a wait: the rounding of the clock's subtraction

    def send(self, cost: float) -> None:
        self.tokens -= cost
        self.gone += cost
        self.in_flight += cost

    def observe(self, remaining: float, now: float) -> None:
        """The server says `remaining` tokens were left when it counted one of our requests: the
        requests of ours it may not have counted yet (still in flight) come off that."""
        self.refill(now)
        self.tokens = min(self.tokens, remaining - self.in_flight)

    def hold(self, seconds: float, now: float) -> None:
        """The server refused (429) and asked for `seconds`: empty, and nobody goes before then."""
        self.refill(now)
        self.tokens = min(self.tokens, 0.0)
        self.held_until = max(self.held_until, now + seconds)


BucketKey = tuple[str, ...]
"""(kind, scope, id): ("arm-writes", "subscription", id), ("arm-global-writes", ...), ("graph-units", "tenant", id)."""


@dataclass
class Ticket:
    """One request's place in its buckets' queues: wait `delay` seconds and ask again (0: it went)."""

    costs: dict[BucketKey, float]
    positions: dict[BucketKey, float]
    delay: float = 0.0
    sent: bool = False


@dataclass
class PaceStats:
    requests: int = 0
    delayed: int = 0
    waited: float = 0.0  # seconds, summed over requests
    throttled: int = 0  # 429s seen


class Pacer:
    """The buckets of one process (thread-safe); clients of every kind share it. A caller does
    `ticket = pacer.reserve(costs)`, then `while ticket.delay: sleep(ticket.delay); pacer.ready(ticket)`,
    sends, and reports the answer with `answered`."""

    def __init__(self, settings: PaceSettings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or PaceSettings()
        self.clock = clock or Clock()
        self.stats = PaceStats()
        self._buckets: dict[BucketKey, TokenBucket] = {}
        self._lock = threading.Lock()

    def reserve(self, costs: Mapping[BucketKey, float]) -> Ticket:
        """Queue a request in each of its buckets; its ticket says how long to wait (0: it may go now)."""
        with self._lock:
            self.stats.requests += 1
            if not self.settings.enabled:
                return Ticket({}, {}, sent=True)
            now = self.clock.now()
            positions = {key: self._bucket(key, now).enqueue(cost) for key, cost in costs.items()}
            ticket = Ticket(dict(costs), positions)
            self._check(ticket, now)
            if ticket.delay > 0:
                self.stats.delayed += 1
            return ticket

    def ready(self, ticket: Ticket) -> float:
        """After waiting: 0 when the request may go now (and is counted as sent), else seconds more
        (an answer in the meantime lowered a bucket, or a 429 holds it)."""
        with self._lock:
            if not ticket.sent:
                self._check(ticket, self.clock.now())
            return ticket.delay

    def answered(
        self, ticket: Ticket, status: int | None, remaining: Mapping[BucketKey, float], retry_after: float | None
    ) -> None:
        """The answer (None: the request failed without one, or gave up waiting), with the remaining
        counts the server gave."""
        with self._lock:
            now = self.clock.now()
            keys = list(ticket.costs)
            self._settle(ticket)
            for key in keys if status is not None else ():
                bucket = self._buckets[key]
                if not bucket.synced:
                    bucket.synced, bucket.stamp = True, now
            for key, left in remaining.items():
                if key in self._buckets:
                    self._buckets[key].observe(left, now)
            if status == 429:
                self.stats.throttled += 1
                for key in keys:  # only a bucket the server says is empty: a provider's own 429 is not ours
                    if remaining.get(key, 1.0) <= 0:
                        self._buckets[key].hold(retry_after or 1.0, now)

    def levels(self) -> dict[BucketKey, float]:
        """Tokens left in each bucket now (requests still waiting not counted)."""
        with self._lock:
            now = self.clock.now()
            for bucket in self._buckets.values():
                bucket.refill(now)
            return {key: bucket.tokens for key, bucket in self._buckets.items()}

    def _check(self, ticket: Ticket, now: float) -> None:
        buckets = {key: self._buckets[key] for key in ticket.costs}
        delay = max(
            (
                bucket.delay(ticket.positions[key], ticket.costs[key], now, self.settings.headroom(bucket.limit))
                for key, bucket in buckets.items()
            ),
            default=0.0,
        )
        ticket.delay = delay
        if delay > 0:
            self.stats.waited += delay
            return
        for key, bucket in buckets.items():
            bucket.send(ticket.costs[key])
        ticket.sent = True

    def _settle(self, ticket: Ticket) -> None:
        for key, cost in ticket.costs.items():
            bucket = self._buckets[key]
            if ticket.sent:
                bucket.in_flight -= cost
            else:
                bucket.gone += cost  # gave up its place
        ticket.costs = {}  # settled once, whatever happens after

    def _bucket(self, key: BucketKey, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self._limit(key[0]), now)
        return bucket

    def _limit(self, kind: str) -> Limit:
        if kind.startswith("arm-global-"):
            principal = self.settings.limits["arm-" + kind.removeprefix("arm-global-")]
            return Limit(principal.burst * GLOBAL_FACTOR, principal.rate * GLOBAL_FACTOR)
        return self.settings.limits[kind]


_process_lock = threading.Lock()
_process_pacer: Pacer | None = None


def process_pacer() -> Pacer:
    """The one pacer of this process, every client's: as `configure_process_pacer` (the CLI's --pace)
    set it, else as PROVISION_PACE says, else at Azure's limits."""
    global _process_pacer
    with _process_lock:
        if _process_pacer is None:
            _process_pacer = Pacer(parse_pace([os.environ.get(PACE_VARIABLE, "")]))
        return _process_pacer


def configure_process_pacer(settings: PaceSettings) -> Pacer:
    """Replace the process's pacer (the CLI does this once, from --pace / PROVISION_PACE)."""
    global _process_pacer
    with _process_lock:
        _process_pacer = Pacer(settings)
        return _process_pacer
