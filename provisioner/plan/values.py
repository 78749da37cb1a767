"""Turning live values into what a plan may show: JSON-safe, secrets masked, unknowns spelled out."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from provisioner.providers.base import UNKNOWN

SENSITIVE = "(sensitive)"
KNOWN_AFTER_APPLY = "(known after apply)"


def json_value(value: Any) -> Any:
    """`value` as plain JSON data: UNKNOWN becomes "(known after apply)", other objects their text."""
    if value is UNKNOWN:
        return KNOWN_AFTER_APPLY
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_value(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return str(value)


def masked(attributes: Mapping[str, Any], sensitive: Collection[str]) -> dict[str, Any]:
    """JSON attributes with every sensitive one (by top-level name or dotted path) replaced."""
    return {
        key: SENSITIVE if key in sensitive and value is not None else json_value(value)
        for key, value in attributes.items()
    }


def lookup_path(values: Mapping[str, Any], dotted: str) -> Any:
    """`values["a.b"]` when the key is flat, else `values["a"]["b"]`; UNKNOWN when absent."""
    if dotted in values:
        return values[dotted]
    current: Any = values
    for part in dotted.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if not isinstance(current, Mapping) or part not in current:
            return UNKNOWN
        current = current[part]
    return current
