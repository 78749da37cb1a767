"""Asynchronous ARM operations: `Azure-AsyncOperation` / `Location` URLs and their poll routes.

The effect of an operation is applied at once; what is asynchronous is its reporting, which answers
`InProgress` for `async_polls - 1` polls and then the final status, with an integer `Retry-After`
of 1 (azure-core's poller treats 0 as absent and would then wait 30 s).

A status body carries what its provider's polls carry, as recorded: Network's only `status`; SQL's
`name`, `status` and `startTime`, never `endTime`; the others (Compute, Resources, Key Vault, ...)
add `endTime` once the operation has ended, never while it is in progress.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface

RETRY_AFTER_SECONDS = "1"
_STATUS_ONLY = {"microsoft.network"}
_WITHOUT_END_TIME = {"microsoft.sql"}
_PROVIDER_IN_PATH = re.compile(r"/providers/([^/]+)/locations/", re.IGNORECASE)

routes = RouteTable(Surface.ARM)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def start_operation(
    call: Call,
    *,
    provider: str,
    location: str,
    result: dict[str, Any] | None = None,
    status_url_kind: str = "operations",
) -> dict[str, str]:
    """Record an operation and return the headers that announce it (Azure-AsyncOperation, Location)."""
    operation_id = str(uuid.uuid4())
    subscription = call.params.get("subscription") or call.cloud.identity.subscription_id
    record = {"name": operation_id, "startTime": _now(), "result": result}
    call.cloud.store.put_operation(operation_id, record, call.cloud.faults.settings.async_polls)
    base = f"{call.base_url}/subscriptions/{subscription}/providers/{provider}/locations/{location}"
    version = f"?api-version={call.api_version}"
    return {
        "Azure-AsyncOperation": f"{base}/{status_url_kind}/{operation_id}{version}",
        "Location": f"{base}/operationResults/{operation_id}{version}",
        "Retry-After": RETRY_AFTER_SECONDS,
    }


def async_headers(headers: dict[str, str]) -> dict[str, str]:
    """For creates Azure reports through `Azure-AsyncOperation` (compute, network), with its Retry-After."""
    return {"Azure-AsyncOperation": headers["Azure-AsyncOperation"], "Retry-After": headers["Retry-After"]}


def location_only(headers: dict[str, str]) -> dict[str, str]:
    """For operations Azure reports through `Location` alone (resource group delete)."""
    return {"Location": headers["Location"], "Retry-After": headers["Retry-After"]}


def _poll(call: Call) -> tuple[dict[str, Any], bool]:
    polled = call.cloud.store.poll_operation(call.params["operation"])
    if polled is None:
        raise CloudServiceError(404, "OperationNotFound", f"The operation '{call.params['operation']}' was not found.")
    record, polls_left = polled
    return record, polls_left <= 1


@routes.get("/subscriptions/{subscription}/providers/{provider}/locations/{location}/operations/{operation}")
async def operation_status(call: Call) -> Response:
    record, done = _poll(call)
    body = _status_body(call, record, "Succeeded" if done else "InProgress")
    if not done:
        return arm_json(body, headers={"Retry-After": RETRY_AFTER_SECONDS})
    return arm_json(body)


def _status_body(call: Call, record: dict[str, Any], status: str) -> dict[str, Any]:
    found = _PROVIDER_IN_PATH.search(call.request.url.path)
    provider = found.group(1).lower() if found else ""
    if provider in _STATUS_ONLY:
        return {"status": status}
    body = {"name": record["name"], "startTime": record["startTime"], "status": status}
    if status == "InProgress" or provider in _WITHOUT_END_TIME:
        return body
    return body | {"endTime": _now()}


@routes.get("/subscriptions/{subscription}/providers/{provider}/locations/{location}/operationResults/{operation}")
async def operation_result(call: Call) -> Response:
    record, done = _poll(call)
    if not done:
        return no_content(202, {"Location": str(call.request.url), "Retry-After": RETRY_AFTER_SECONDS})
    if record.get("result") is None:
        return no_content(204)
    return arm_json(record["result"])
