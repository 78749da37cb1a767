"""ARM responses: JSON with Azure's content type, and list pages with `nextLink`."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PAGE_SIZE = 100
ODATA_SAFE = "$'(),"  # left unescaped in next links, as Azure writes them


def arm_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers, media_type=JSON_CONTENT_TYPE)


def no_content(status: int = 204, headers: dict[str, str] | None = None) -> Response:
    return Response(b"", status, headers)


def paged(call: Call, items: Sequence[Any], page_size: int = PAGE_SIZE) -> Response:
    """One page of a list, with `nextLink` ($skiptoken) only when more items follow."""
    page, next_link = page_of(call, items, page_size, bad_request_code="InvalidParameter")
    body: dict[str, Any] = {"value": page}
    if next_link:
        body["nextLink"] = next_link
    return arm_json(body)


def paged_after_name(call: Call, items: Sequence[dict[str, Any]]) -> Response:
    """A list paged as Key Vault's resource provider pages it: by name, the `$skiptoken` being the
    base64 of the last name sent. Key Vault does not look ahead, so every page that holds items carries
    a `nextLink`, and the page after the last item is empty and has none (recorded: a one-vault list,
    then `{"value": []}`)."""
    after = _name_from_token(call.query_value("$skiptoken"))
    top = call.query_value("$top")
    size = _positive_int(top, "$top", "InvalidParameter") if top is not None else PAGE_SIZE
    ordered = sorted(items, key=lambda item: str(item["name"]).lower())
    page = [item for item in ordered if after is None or str(item["name"]).lower() > after][:size]
    body: dict[str, Any] = {"value": page}
    if page:
        query = {key: value for key, value in call.request.query_params.items() if key.lower() != "$skiptoken"}
        query["$skiptoken"] = base64.b64encode(str(page[-1]["name"]).encode()).decode()
        body["nextLink"] = f"{call.base_url}{call.request.url.path}?{urlencode(query, safe=ODATA_SAFE)}"
    return arm_json(body)


def _name_from_token(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode().lower()
    except ValueError as exc:
        raise CloudServiceError(400, "InvalidParameter", "The skip token is invalid.") from exc


def page_of(call: Call, items: Sequence[Any], page_size: int, *, bad_request_code: str) -> tuple[list[Any], str | None]:
    """The items of the page the request asks for ($skiptoken, $top), and the link to the next one."""
    start = _skip_from_token(call.query_value("$skiptoken"), bad_request_code)
    top = call.query_value("$top")
    if top is not None:
        page_size = min(page_size, _positive_int(top, "$top", bad_request_code))
    page = list(items[start : start + page_size])
    if start + page_size >= len(items):
        return page, None
    query = {key: value for key, value in call.request.query_params.items() if key.lower() != "$skiptoken"}
    query["$skiptoken"] = _token_for(start + page_size)
    return page, f"{call.base_url}{call.request.url.path}?{urlencode(query, safe=ODATA_SAFE)}"


def _token_for(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def _skip_from_token(token: str | None, code: str) -> int:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded))["offset"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CloudServiceError(400, code, "The skip token is invalid.") from exc


def _positive_int(value: str, name: str, code: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise CloudServiceError(400, code, f"The value of '{name}' must be an integer.") from exc
    if number < 1:
        raise CloudServiceError(400, code, f"The value of '{name}' must be positive.")
    return number
