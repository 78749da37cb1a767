"""The process's pacer (provisioner.execution.pacing) in every ARM and Graph client's pipeline.

Management clients get `ArmPacedTransport` around their requests transport, so each attempt (a retry
too) waits for its token right before it goes out, after authentication (a policy after the retry
policy would sit before the token fetch, and paced requests would bunch up behind it); msgraph's
httpx client gets `GraphPacingTransport` under kiota's middleware, for the same reason. Data planes
(blob, Key Vault, SQL) are not ARM and are not paced. What a request costs:

- ARM: one token of its operation type (GET/HEAD read, DELETE delete, anything else write) in the
  subscription's bucket and in the subscription's global one, or the tenant's for a request outside
  a subscription; answers carry `x-ms-ratelimit-remaining-{subscription,tenant}[-global]-{type}`.
- Graph: its resource units (the identity service's table: 1 by default, more for member lists and
  the like) in the tenant's bucket, and a write for anything but GET; answers above 80 % of the limit
  carry `x-ms-throttle-limit-percentage`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from azure.core.pipeline.transport import HttpTransport

from provisioner.execution.pacing import BucketKey, Pacer, Ticket

_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/?]+)", re.IGNORECASE)
_REMAINING = re.compile(r"^x-ms-ratelimit-remaining-(subscription|tenant)-(global-)?(reads|writes|deletes)$")

# Graph's identity service: base resource units of the operations the table prices above 1.
_GRAPH_UNITS = (
    ("GET", re.compile(r"/groups/[^/]+/members(/|$)"), 3),
    ("GET", re.compile(r"/groups/[^/]+/transitivemembers(/|$)"), 5),
    ("GET", re.compile(r"/users$"), 2),
    ("GET", re.compile(r"/applications$"), 2),
    ("GET", re.compile(r"/serviceprincipals/[^/]+/approleassignments$"), 2),
    ("POST", re.compile(r"/directoryobjects/getbyids$"), 5),
    ("POST", re.compile(r"/checkmembergroups$"), 4),
)


def operation_type(method: str) -> str:
    method = method.upper()
    if method in ("GET", "HEAD"):
        return "reads"
    return "deletes" if method == "DELETE" else "writes"


def arm_costs(method: str, url: str, tenant_id: str) -> dict[BucketKey, float]:
    kind = operation_type(method)
    found = _SUBSCRIPTION.match(urlsplit(url).path)
    if found is None:
        return {(f"arm-{kind}", "tenant", tenant_id.lower()): 1.0}
    subscription = found.group(1).lower()
    return {
        (f"arm-{kind}", "subscription", subscription): 1.0,
        (f"arm-global-{kind}", "subscription", subscription): 1.0,
    }


def arm_remaining(url: str, tenant_id: str, headers: Mapping[str, str]) -> dict[BucketKey, float]:
    found = _SUBSCRIPTION.match(urlsplit(url).path)
    remaining: dict[BucketKey, float] = {}
    for name, value in headers.items():
        header = _REMAINING.match(name.lower())
        if header is None or not value.strip().isdigit():
            continue
        scope, is_global, kind = header.groups()
        if scope == "subscription" and found is not None:
            remaining[(f"arm-{'global-' if is_global else ''}{kind}", scope, found.group(1).lower())] = float(value)
        elif scope == "tenant" and not is_global:
            remaining[(f"arm-{kind}", scope, tenant_id.lower())] = float(value)
    return remaining


def graph_units(method: str, url: str) -> float:
    parts = urlsplit(url)
    path, query = parts.path.lower().rstrip("/"), parse_qs(parts.query)
    units = next((cost for verb, pattern, cost in _GRAPH_UNITS if verb == method and pattern.search(path)), 1)
    units += (1 if "$expand" in query else 0) - (1 if "$select" in query else 0)
    top = query.get("$top", [""])[0]
    units -= 1 if top.isdigit() and int(top) < 20 else 0
    return float(max(units, 1))


def graph_costs(method: str, url: str, tenant_id: str) -> dict[BucketKey, float]:
    tenant = tenant_id.lower()
    costs: dict[BucketKey, float] = {("graph-units", "tenant", tenant): graph_units(method.upper(), url)}
    if method.upper() != "GET":
        costs[("graph-writes", "tenant", tenant)] = 1.0
    return costs


def graph_remaining(tenant_id: str, headers: Mapping[str, str], pacer: Pacer) -> dict[BucketKey, float]:
    """`x-ms-throttle-limit-percentage` (0.8 to 1.8: the share of the limit used) as tokens left; a
    429 naming its scope (`x-ms-throttle-scope`) empties the bucket `x-ms-throttle-information` names."""
    tenant = tenant_id.lower()
    if "x-ms-throttle-scope" in headers:
        limit = "graph-writes" if "write" in headers.get("x-ms-throttle-information", "").lower() else "graph-units"
        return {(limit, "tenant", tenant): 0.0}
    try:
        used = float(headers.get("x-ms-throttle-limit-percentage", ""))
    except ValueError:
        return {}
    burst = pacer.settings.limits["graph-units"].burst
    return {("graph-units", "tenant", tenant): burst * (1.0 - used)}


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        if (value := headers.get(name)) is not None:
            try:
                return float(value) / 1000.0
            except ValueError:
                pass
    try:
        return float(headers.get("retry-after", ""))
    except ValueError:
        return None  # an HTTP date: the holding falls back to a second


class ArmPacedTransport(HttpTransport[Any, Any]):
    """The transport of a management client: waits for each ARM request's tokens just before it goes
    on the wire (below retries and authentication, so a token fetch cannot bunch paced requests up),
    and keeps the buckets in step with the answers."""

    def __init__(self, inner: HttpTransport[Any, Any], pacer: Pacer, arm_endpoint: str, tenant_id: str) -> None:
        self._inner = inner
        self._pacer = pacer
        self._host = urlsplit(arm_endpoint).netloc.lower()
        self._tenant = tenant_id

    def send(self, request: Any, **kwargs: Any) -> Any:
        if urlsplit(request.url).netloc.lower() != self._host:
            return self._inner.send(request, **kwargs)
        ticket = self._pacer.reserve(arm_costs(request.method, request.url, self._tenant))
        try:
            while ticket.delay > 0:
                self._pacer.clock.sleep(ticket.delay)
                self._pacer.ready(ticket)
            response = self._inner.send(request, **kwargs)
        except BaseException:
            self._pacer.answered(ticket, None, {}, None)
            raise
        headers = {name.lower(): value for name, value in response.headers.items()}
        remaining = arm_remaining(request.url, self._tenant, headers)
        self._pacer.answered(ticket, response.status_code, remaining, retry_after_seconds(headers))
        return response

    def open(self) -> None:
        self._inner.open()

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> ArmPacedTransport:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def sleep(self, duration: float) -> None:
        self._inner.sleep(duration)


class GraphPacingTransport(httpx.AsyncBaseTransport):
    """An httpx transport that waits (without blocking the event loop) for each Graph request's tokens."""

    def __init__(self, inner: httpx.AsyncBaseTransport, pacer: Pacer, tenant_id: str) -> None:
        self._inner = inner
        self._pacer = pacer
        self._tenant = tenant_id

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        ticket = await self._wait(request)
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._pacer.answered(ticket, None, {}, None)
            raise
        headers = {name.lower(): value for name, value in response.headers.items()}
        remaining = graph_remaining(self._tenant, headers, self._pacer)
        self._pacer.answered(ticket, response.status_code, remaining, retry_after_seconds(headers))
        return response

    async def _wait(self, request: httpx.Request) -> Ticket:
        ticket = self._pacer.reserve(graph_costs(request.method, str(request.url), self._tenant))
        try:
            while ticket.delay > 0:
                await asyncio.sleep(ticket.delay)
                self._pacer.ready(ticket)
        except BaseException:
            self._pacer.answered(ticket, None, {}, None)
            raise
        return ticket

    async def aclose(self) -> None:
        await self._inner.aclose()
