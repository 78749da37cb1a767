"""A fingerprint of what a plan observed, so a saved plan can tell that the cloud changed since."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from typing import Any

from provisioner.plan.values import json_value, masked
from provisioner.providers.base import Observed


def observed_document(observed: Observed | None, sensitive: Collection[str]) -> dict[str, Any] | None:
    """One observed resource as canonical JSON data, sensitive attributes masked (None: absent)."""
    if observed is None:
        return None
    return {
        "azure_id": observed.azure_id.lower(),
        "attributes": masked(observed.attributes, sensitive),
        "exports": json_value(observed.exports),
    }


def fingerprint(documents: Mapping[str, Any]) -> str:
    """sha256 of the observed documents of every resource, in a canonical JSON form."""
    text = json.dumps(dict(sorted(documents.items())), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
