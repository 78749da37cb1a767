"""Azure RBAC evaluation, pure: does a set of permission blocks allow one operation?

Azure's semantics: each permission block of each role granted to the caller is evaluated on its own;
a block allows an operation when one of its `actions` (or `dataActions`) matches it and none of the
*same block's* `notActions` (or `notDataActions`) does. The caller may do whatever any block allows,
so a `notActions` entry subtracts from its own block only and is never a deny.

Operation names match case-insensitively, and `*` matches any run of characters; a `*` standing
for a whole path segment also matches no segment at all, so Managed Identity Operator's
`Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action` covers
`Microsoft.ManagedIdentity/userAssignedIdentities/assign/action`, as it does in Azure.

A block may carry an ABAC `condition` (31 of the built-in roles' blocks do, mostly constraining which
roles a delegated administrator may assign). The local cloud does not evaluate conditions, so a
conditional block allows nothing here: the local cloud may refuse what Azure would allow, never the
other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Permission:
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()
    condition: str | None = None
    condition_version: str | None = None

    @classmethod
    def from_json(cls, block: dict[str, Any]) -> Permission:
        """A block in ARM's shape: {"actions", "notActions", "dataActions", "notDataActions"} and,
        on a few built-in roles, {"condition", "conditionVersion"}."""
        return cls(
            actions=tuple(block.get("actions", ())),
            not_actions=tuple(block.get("notActions", ())),
            data_actions=tuple(block.get("dataActions", ())),
            not_data_actions=tuple(block.get("notDataActions", ())),
            condition=block.get("condition"),
            condition_version=block.get("conditionVersion"),
        )

    def to_json(self) -> dict[str, Any]:
        block: dict[str, Any] = {
            "actions": list(self.actions),
            "notActions": list(self.not_actions),
            "dataActions": list(self.data_actions),
            "notDataActions": list(self.not_data_actions),
        }
        if self.condition is not None:
            block |= {"condition": self.condition, "conditionVersion": self.condition_version}
        return block

    def allows(self, operation: str, *, data_action: bool) -> bool:
        if self.condition is not None:
            return False
        granted, excluded = (
            (self.data_actions, self.not_data_actions) if data_action else (self.actions, self.not_actions)
        )
        return _any_match(granted, operation) and not _any_match(excluded, operation)


def operation_matches(pattern: str, operation: str) -> bool:
    return _compiled(pattern.lower()).fullmatch(operation.lower()) is not None


def allows(permissions: Iterable[Permission], operation: str, *, data_action: bool) -> bool:
    return any(permission.allows(operation, data_action=data_action) for permission in permissions)


def _any_match(patterns: Iterable[str], operation: str) -> bool:
    return any(operation_matches(pattern, operation) for pattern in patterns)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    escaped = re.escape(pattern)
    # A whole-segment wildcard ("/*/") may stand for no segment; any other "*" is any run of characters.
    regex = escaped.replace(r"/\*/", "/(?:.*/)?").replace(r"\*", ".*")
    return re.compile(regex, re.DOTALL)
