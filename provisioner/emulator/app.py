"""The local cloud's ASGI application: one dispatcher for every surface.

For each request: match a route (case-insensitive), apply faults (latency, random 429/5xx), require
`api-version` on ARM, authenticate the bearer token for the surface's audience, take ARM's and
Graph's token buckets (core/throttling.py), run the handler, render errors in the surface's format,
add the standard headers and record the call in the request log.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from provisioner.emulator.core import config
from provisioner.emulator.core.bearer import authenticate_bearer
from provisioner.emulator.core.call import Call, InnerResponse
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.requestlog import category_of
from provisioner.emulator.core.routing import Route, RouteTable, by_specificity
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.render import render_error

AUDIENCES: dict[Surface, tuple[str, ...]] = {
    Surface.ARM: config.ARM_AUDIENCES,
    Surface.BLOB: config.STORAGE_AUDIENCES,
    Surface.VAULT: config.VAULT_AUDIENCES,
    Surface.SQL: config.SQL_AUDIENCES,
}


def _audiences(surface: Surface, base_url: str) -> tuple[str, ...]:
    if surface is Surface.GRAPH:
        return config.graph_audiences(base_url)
    return AUDIENCES.get(surface, config.ARM_AUDIENCES)


FAULTY_SURFACES = frozenset({Surface.ARM, Surface.GRAPH})
_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview|-beta)?$")
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
ARM_HEADERS = {
    "cache-control": "no-cache",
    "pragma": "no-cache",
    "expires": "-1",
    "x-content-type-options": "nosniff",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
}


class LocalCloudApp:
    """Dispatches to the routes of `tables` (see services.py), tried by specificity whatever their order."""

    def __init__(self, cloud: LocalCloud, tables: Iterable[RouteTable]) -> None:
        self.cloud = cloud
        self.routes: list[Route] = by_specificity(route for table in tables for route in table.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        scope = self.cloud.vault_hosts.rewrite(scope)  # a request on a key vault's own port
        request = Request(scope, receive)
        request_id = str(uuid.uuid4())
        route, params, same_path = self.match(request.method, request.url.path)
        known = route or same_path
        surface = known.surface if known else _surface_for_path(request.url.path)
        try:
            if route is None:
                raise _unrouted(surface, request, method_exists=same_path is not None)
            response = await self._handle(request, route, params, surface, request_id)
        except CloudServiceError as error:
            correlation = request.headers.get("client-request-id") or request.headers.get("x-ms-client-request-id")
            response = render_error(surface, error, request_id, correlation)
        self._decorate(response, surface, request, request_id)
        if surface is not Surface.CONTROL:
            operation = route.operation if route else "unmatched"
            api_version = request.query_params.get("api-version", "")
            self.cloud.log.record(
                request.method,
                request.url.path,
                surface,
                operation,
                response.status_code,
                api_version,
                getattr(request.state, "log_category", None),
            )
        await response(scope, receive, send)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], Route | None]:
        """(route, path parameters, a route with this path but another method)."""
        same_path: Route | None = None
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict(), None
            same_path = same_path or route
        return None, {}, same_path

    async def inner_call(self, outer: Call, method: str, path: str, api_version: str, body: Any) -> InnerResponse:
        """An ARM call the cloud makes to itself as the outer call's caller (see core.call.Dispatch)."""
        route, params, same_path = self.match(method, path)
        if route is None or route.surface is not Surface.ARM:
            raise _unrouted(Surface.ARM, outer.request, method_exists=same_path is not None, path=path)
        _check_api_version(api_version)
        scope = dict(outer.request.scope) | {
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "query_string": f"api-version={api_version}".encode(),
            "state": {},
        }
        data = b"" if body is None else json.dumps(body).encode()
        call = Call(
            Request(scope), self.cloud, params, Surface.ARM, str(uuid.uuid4()), outer.principal, data, self.inner_call
        )
        response = await route.handler(call)
        content = bytes(response.body)
        return InnerResponse(response.status_code, json.loads(content) if content else None, dict(response.headers))

    async def _handle(
        self, request: Request, route: Route, params: dict[str, str], surface: Surface, request_id: str
    ) -> Response:
        body = await request.body()
        call = Call(request, self.cloud, params, surface, request_id, body_bytes=body, dispatch=self.inner_call)
        await self._apply_faults(call)
        if surface is Surface.ARM:
            _check_api_version(call.api_version)
        if route.authenticated:
            call.principal = authenticate_bearer(call, _audiences(surface, call.base_url))
            self._take_bucket_tokens(call)
        return await route.handler(call)

    async def _apply_faults(self, call: Call) -> None:
        settings = self.cloud.faults.settings
        if call.surface is Surface.CONTROL:
            return
        if settings.latency_ms > 0:
            await asyncio.sleep(settings.latency_ms / 1000)
        if call.surface not in FAULTY_SURFACES:
            return
        outcome = self.cloud.faults.roll()
        if outcome == "throttle":
            raise _throttled(call.surface, 1, category_of(call.request.method))
        if outcome == "error":
            raise _server_error(self.cloud.faults.error_status(), call.request_id)

    def _take_bucket_tokens(self, call: Call) -> None:
        """ARM's buckets per subscription and principal, Graph's per tenant and app (core/throttling.py)."""
        principal, faults = call.principal, self.cloud.faults
        if principal is None or call.surface not in FAULTY_SURFACES:
            return
        enforce = faults.settings.throttle
        if call.surface is Surface.GRAPH:
            app = principal.app_id or principal.object_id
            taken = faults.buckets.graph(principal.tenant_id, app, call.request.method, call.request.url.path, enforce)
        else:
            subscription = _SUBSCRIPTION.match(call.request.url.path)
            if subscription is None:
                return
            category = category_of(call.request.method)
            taken = faults.buckets.arm(subscription.group(1), principal.object_id, category, enforce)
        call.request.state.ratelimit = taken.headers
        if taken.refusal is not None:
            raise taken.refusal

    def _decorate(self, response: Response, surface: Surface, request: Request, request_id: str) -> None:
        client_request_id = request.headers.get("x-ms-client-request-id") or request_id
        for name, value in getattr(request.state, "ratelimit", {}).items():
            response.headers[name] = value
        if surface is Surface.GRAPH:
            response.headers["request-id"] = request_id
            response.headers["client-request-id"] = client_request_id
            return
        response.headers["x-ms-request-id"] = request_id
        if surface is not Surface.ARM:
            return
        response.headers["x-ms-correlation-request-id"] = client_request_id
        response.headers["x-ms-routing-request-id"] = f"LOCAL:{request_id}"
        for name, value in ARM_HEADERS.items():
            response.headers.setdefault(name, value)


def _check_api_version(api_version: str) -> None:
    if not api_version:
        raise CloudServiceError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if not _API_VERSION.match(api_version):
        raise CloudServiceError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{api_version}' is invalid. The supported versions are dates "
            "in the form 'yyyy-mm-dd' optionally followed by '-preview'.",
        )


def _throttled(surface: Surface, retry_after: int, category: str) -> CloudServiceError:
    """A 429 at random (the `throttle_rate` fault), worded as ARM's or Graph's: like a resource
    provider's own throttling, it says nothing about the subscription's buckets."""
    operation = {"reads": "Read", "writes": "Write", "deletes": "Delete"}[category]
    message = (
        "Too many requests."
        if surface is Surface.GRAPH
        else f"The request is being throttled as the limit has been reached for operation type - "
        f"{operation}_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits"
    )
    return CloudServiceError(
        429,
        "TooManyRequests",
        message,
        headers={"Retry-After": str(retry_after)},
    )


def _server_error(status: int, request_id: str) -> CloudServiceError:
    if status == 503:
        return CloudServiceError(
            503,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please retry.",
            headers={"Retry-After": "1"},
        )
    return CloudServiceError(
        500,
        "InternalServerError",
        f"Encountered internal server error. Diagnostic information: tracking id '{request_id}'.",
        headers={"x-ms-failure-cause": "service"},
    )


def _surface_for_path(path: str) -> Surface:
    lowered = path.lower()
    if lowered.startswith(("/v1.0/", "/beta/")):
        return Surface.GRAPH
    if lowered.startswith("/_cloud/"):
        return Surface.CONTROL
    return Surface.ARM


def _unrouted(surface: Surface, request: Request, *, method_exists: bool, path: str = "") -> CloudServiceError:
    if method_exists:
        return CloudServiceError(405, "HttpMethodNotAllowed", f"The HTTP method '{request.method}' is not supported.")
    return _not_found_for(surface, path or request.url.path)


def _not_found_for(surface: Surface, path: str) -> CloudServiceError:
    if surface is Surface.GRAPH:
        return CloudServiceError(
            400, "BadRequest", f"Resource not found for the segment '{path.rsplit('/', maxsplit=1)[-1]}'."
        )
    if surface is Surface.CONTROL:
        return CloudServiceError(404, "NotFound", f"No control endpoint at '{path}'.")
    return CloudServiceError(404, "InvalidResourceType", f"The resource type could not be found for the path '{path}'.")
