"""ARM resource ids, parsed into their parts (case kept; ARM compares them case-insensitively)."""

from __future__ import annotations

import re
from typing import NamedTuple

_ID = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<group>[^/]+)"
    r"(?:/providers/(?P<namespace>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+)(?P<child>/.*)?)?$",
    re.IGNORECASE,
)


class ArmId(NamedTuple):
    subscription: str
    group: str
    namespace: str
    type: str
    name: str  # the top-level resource's name (the group's for a resource group id)


def parse_arm_id(resource_id: str) -> ArmId:
    """The parts of a resource group's or a resource's id; ValueError for anything else."""
    found = _ID.match(resource_id.rstrip("/"))
    if found is None:
        raise ValueError(f"not an ARM resource id: {resource_id!r}")
    parts = found.groupdict()
    return ArmId(
        parts["subscription"],
        parts["group"],
        parts["namespace"] or "",
        parts["type"] or "",
        parts["name"] or parts["group"],
    )
