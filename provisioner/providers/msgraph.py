"""What Graph providers share: 404 as "absent", OData string literals, paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration

T = TypeVar("T")
NOT_FOUND = 404


async def get_or_none(call: Callable[[], Awaitable[T]]) -> T | None:
    """The result of a Graph GET, or None on 404 Request_ResourceNotFound."""
    try:
        return await call()
    except APIError as error:
        if error.response_status_code == NOT_FOUND:
            return None
        raise


def odata_string(value: str) -> str:
    """A string literal for `$filter`: quotes doubled, as OData escapes them."""
    return "'" + value.replace("'", "''") + "'"


def filtered(query_parameters: type[Any], expression: str) -> RequestConfiguration[Any]:
    """A request configuration with `$filter` set, for a builder's GetQueryParameters class."""
    return RequestConfiguration(query_parameters=query_parameters(filter=expression))


async def all_pages(first: Any, next_page: Callable[[str], Awaitable[Any]]) -> list[Any]:
    """Every item of a collection, following `@odata.nextLink`."""
    items = list(first.value or [])
    page = first
    while page.odata_next_link:
        page = await next_page(page.odata_next_link)
        items.extend(page.value or [])
    return items


def error_message(error: APIError) -> str:
    """The message of Graph's error body (or the SDK's own when there is none)."""
    return str(getattr(getattr(error, "error", None), "message", None) or error.message or "")
