"""Azure's provider operations metadata (`providerOperations/{namespace}`) for the namespaces the local
cloud serves.

`provider_operations.json.gz` holds Azure's own metadata for each of them (as `az provider operation
show` returned it in August 2026): the namespace's operations and, per resource type, its operations
with their display names, descriptions, origin, isDataAction and service specifications. The operation
names are the ones the built-in roles' actions and dataActions name.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources
from typing import Any

_EXPANDABLE = "resourcetypes"


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    packed = resources.files(__package__).joinpath("provider_operations.json.gz").read_bytes()
    return {entry["name"].lower(): entry for entry in json.loads(gzip.decompress(packed))}


def served_namespaces() -> list[str]:
    return sorted(entry["name"] for entry in _catalogue().values())


def provider_operations(namespace: str, expand: str | None) -> dict[str, Any] | None:
    """The namespace's metadata in ARM's shape; resource types only when `$expand` asks for them, which
    is its default ("resourceTypes")."""
    found = _catalogue().get(namespace.lower())
    if found is None:
        return None
    if expand is None or _EXPANDABLE in expand.lower():
        return found
    return {key: value for key, value in found.items() if key != "resourceTypes"}
