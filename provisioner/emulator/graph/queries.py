"""Graph's OData query options: $filter (the forms the tool and the tutorials use), $select, $top
and paging with `@odata.nextLink`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, page_of
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError

PAGE_SIZE = 100
_EQ = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_STARTSWITH = re.compile(r"^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$", re.IGNORECASE)
# A lambda over a collection property: `servicePrincipalNames/any(c:c eq 'value')` (what az sends).
_ANY = re.compile(r"^\s*(\w+)/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$", re.IGNORECASE)

Predicate = Callable[[dict[str, Any]], bool]


def unsupported(text: str) -> CloudServiceError:
    return CloudServiceError(400, "Request_UnsupportedQuery", f"Unsupported query: '{text}'.")


def parse_filter(text: str | None, allowed: Sequence[str]) -> Predicate:
    """A predicate for `prop eq 'v'` / `startswith(prop,'v')` clauses joined by `and`."""
    if not text:
        return lambda _item: True
    allowed_lower = {name.lower(): name for name in allowed}
    predicates: list[Predicate] = []
    for clause in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        predicate = _any_clause(clause, allowed_lower) or _plain_clause(clause, allowed_lower)
        if predicate is None:
            raise unsupported(text)
        predicates.append(predicate)
    return lambda item: all(predicate(item) for predicate in predicates)


def _plain_clause(clause: str, allowed_lower: dict[str, str]) -> Predicate | None:
    match = _EQ.match(clause) or _STARTSWITH.match(clause)
    if match is None or match.group(1).lower() not in allowed_lower:
        return None
    field = allowed_lower[match.group(1).lower()]
    return _clause(field, match.group(2).replace("''", "'"), starts=match.re is _STARTSWITH)


def _any_clause(clause: str, allowed_lower: dict[str, str]) -> Predicate | None:
    match = _ANY.match(clause)
    if match is None or match.group(1).lower() not in allowed_lower or match.group(2) != match.group(3):
        return None
    field = allowed_lower[match.group(1).lower()]
    wanted = match.group(4).replace("''", "'").lower()
    return lambda item: any(str(value).lower() == wanted for value in item.get(field) or ())


def _clause(field: str, value: str, *, starts: bool) -> Predicate:
    def matches(item: dict[str, Any]) -> bool:
        actual = item.get(field)
        if actual is None:
            return False
        if isinstance(actual, bool):
            return str(actual).lower() == value.lower()
        if starts:
            return str(actual).lower().startswith(value.lower())
        return str(actual).lower() == value.lower()

    return matches


def select(item: dict[str, Any], call: Call) -> dict[str, Any]:
    wanted = call.query_value("$select")
    if not wanted:
        return item
    names = {name.strip().lower() for name in wanted.split(",")} | {"id", "@odata.type"}
    return {key: value for key, value in item.items() if key.lower() in names}


def graph_page(call: Call, items: Sequence[dict[str, Any]], context: str) -> Response:
    """One page of a Graph collection with `@odata.context` and, when more follow, `@odata.nextLink`."""
    page, next_link = page_of(call, items, PAGE_SIZE, bad_request_code="Request_BadRequest")
    body: dict[str, Any] = {
        "@odata.context": f"{call.base_url}/v1.0/$metadata#{context}",
        "value": [select(item, call) for item in page],
    }
    if next_link:
        body["@odata.nextLink"] = next_link
    return arm_json(body)
