"""What a route handler receives: the request, the cloud, path parameters and the caller."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.surface import Surface

if TYPE_CHECKING:
    from provisioner.emulator.core.runtime import LocalCloud

JSON = dict[str, Any]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, taken from a validated token."""

    object_id: str
    tenant_id: str
    app_id: str | None
    audience: str
    roles: tuple[str, ...] = ()
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InnerResponse:
    status: int
    body: Any
    headers: dict[str, str]


class Dispatch(Protocol):
    """An ARM call the local cloud makes to itself on a caller's behalf (a template deployment PUTs each
    of its resources and reads them for `reference()`): through the same routes and rules as a client's
    call, as the same principal, without the faults a client's call may meet."""

    async def __call__(self, outer: Call, method: str, path: str, api_version: str, body: Any) -> InnerResponse:
        """Answer `method path?api-version=...` as the outer call's caller; CloudServiceError if refused."""
        ...


@dataclass
class Call:
    request: Request
    cloud: LocalCloud
    params: dict[str, str]
    surface: Surface
    request_id: str
    principal: Principal | None = None
    body_bytes: bytes = b""
    dispatch: Dispatch | None = None  # the app's own routes (see Dispatch)

    @property
    def caller(self) -> Principal:
        """The authenticated caller (routes that are `authenticated` always have one)."""
        if self.principal is None:
            raise CloudServiceError(401, "AuthenticationFailed", "Authentication failed.")
        return self.principal

    @property
    def base_url(self) -> str:
        """`https://127.0.0.1:PORT` as the client reached us (absolute URLs in responses use it)."""
        return str(self.request.base_url).rstrip("/")

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params)

    def query_value(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as ARM does ($filter, api-version)."""
        lowered = name.lower()
        for key, value in self.request.query_params.items():
            if key.lower() == lowered:
                return value
        return None

    @property
    def api_version(self) -> str:
        return self.query_value("api-version") or ""

    def json(self) -> JSON:
        """The request body as a JSON object; ARM's InvalidRequestContent when it is not one."""
        if not self.body_bytes.strip():
            return {}
        try:
            document = json.loads(self.body_bytes)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CloudServiceError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid and could not be deserialized: {exc}",
            ) from exc
        if not isinstance(document, dict):
            raise CloudServiceError(400, "InvalidRequestContent", "The request content must be a JSON object.")
        return document
