"""What must agree between Azure's recorded answer and the local cloud's: status, JSON shape, headers."""

from __future__ import annotations

import json
from typing import Any

# Headers a client acts on; their presence must agree (values are the cloud's own).
PRESENCE_HEADERS = ("location", "azure-asyncoperation", "retry-after")


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]


def shape(value: Any, prefix: str = "") -> set[str]:
    """Key paths with their value types; array items are merged under `[]`."""
    paths = {f"{prefix}:{_type(value)}"}
    if isinstance(value, dict):
        for key, item in value.items():
            paths |= shape(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for item in value:
            paths |= shape(item, f"{prefix}[]")
    return paths


def parse(body: str | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def shape_differences(recorded: str | None, local: str | None) -> list[str]:
    """`-path:type` for what Azure sent and the local cloud did not, `+path:type` for the reverse."""
    expected, actual = parse(recorded), parse(local)
    if expected is None:
        return []
    want, got = shape(expected), shape(actual) if actual is not None else set()
    return sorted(f"-{path}" for path in want - got) + sorted(f"+{path}" for path in got - want)


def _media(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def header_differences(recorded: dict[str, str], local: dict[str, str], has_body: bool) -> list[str]:
    if not recorded:  # a spec example that documents no headers says nothing about them
        return []
    found = [f"header {name}" for name in PRESENCE_HEADERS if (name in recorded) != (name in local)]
    if "x-ms-request-id" in recorded and "x-ms-request-id" not in local:
        found.append("header x-ms-request-id")
    if (
        has_body
        and "content-type" in recorded
        and _media(recorded.get("content-type")) != _media(local.get("content-type"))
    ):
        found.append("header content-type")
    return found
