"""Error rendering: each surface answers refusals in the format its real service uses."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from starlette.responses import JSONResponse, Response

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.surface import Surface


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def render_error(
    surface: Surface, error: CloudServiceError, request_id: str, correlation_id: str | None = None
) -> Response:
    """`correlation_id`: what the client sent as its request id (Entra echoes MSAL's `client-request-id`)."""
    headers = dict(error.headers)
    if surface in (Surface.ENTRA, Surface.IMDS):
        return JSONResponse(_oauth_error(surface, error, request_id, correlation_id), error.status, headers)
    if surface is Surface.APP_IDENTITY:
        # App Service's identity endpoint answers {"statusCode", "message", "correlationId"}
        body = {"statusCode": error.status, "message": error.message, "correlationId": request_id}
        return JSONResponse(body, error.status, headers)
    if surface is Surface.GRAPH:
        body = {
            "error": {
                "code": error.code,
                "message": error.message,
                "innerError": {
                    "date": utc_now_iso()[:19],
                    "request-id": request_id,
                    "client-request-id": request_id,
                },
                **error.extra,
            }
        }
        return JSONResponse(body, error.status, headers)
    if surface is Surface.BLOB:
        return _storage_error(error, request_id, headers)
    return JSONResponse({"error": {"code": error.code, "message": error.message, **error.extra}}, error.status, headers)


def _oauth_error(
    surface: Surface, error: CloudServiceError, request_id: str, correlation_id: str | None
) -> dict[str, object]:
    body: dict[str, object] = {"error": error.code, "error_description": error.message}
    if surface is Surface.ENTRA:
        body |= {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": request_id,
            "correlation_id": correlation_id or str(uuid.uuid4()),
        }
    body |= error.extra
    return body


def _storage_error(error: CloudServiceError, request_id: str, headers: dict[str, str]) -> Response:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
    message = f"{error.message}\nRequestId:{request_id}\nTime:{stamp}"
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<Error><Code>{escape(error.code)}</Code><Message>{escape(message)}</Message>"
        + "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in error.extra.items())
        + "</Error>"
    )
    headers = {"x-ms-error-code": error.code, **headers}
    return Response(xml, error.status, headers, media_type="application/xml")
