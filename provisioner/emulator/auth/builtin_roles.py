"""Azure's built-in role definitions, with their real ids, descriptions and permissions.

`builtin_roles.json` holds them in the shape Microsoft publishes ("Azure built-in roles",
learn.microsoft.com/azure/role-based-access-control/built-in-roles, 2026 revision); this module
loads it and renders a definition the way ARM answers `roleDefinitions` GETs and lists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from provisioner.emulator.auth.rbac import Permission

ROLE_DEFINITION_TYPE = "Microsoft.Authorization/roleDefinitions"
# ARM reports the same creation stamp for the original built-in roles; used for all of them here.
BUILTIN_TIMESTAMP = "2015-02-02T21:55:09.8806423Z"
_SUBSCRIPTION_PREFIX = re.compile(r"^(/subscriptions/[^/]+)", re.IGNORECASE)


@dataclass(frozen=True)
class BuiltInRole:
    guid: str
    name: str
    description: str
    permissions: tuple[Permission, ...]


@cache
def builtin_roles() -> tuple[BuiltInRole, ...]:
    text = resources.files(__package__).joinpath("builtin_roles.json").read_text(encoding="utf-8")
    return tuple(_role(entry) for entry in json.loads(text))


def builtin_role(guid: str) -> BuiltInRole | None:
    """The built-in role with this definition GUID (any case), if there is one."""
    return _by_guid().get(guid.lower())


def builtin_role_named(role_name: str) -> BuiltInRole | None:
    """The built-in role called `role_name`, compared case-insensitively as ARM's $filter does."""
    return _by_name().get(role_name.lower())


def role_definition_id(guid: str, scope: str) -> str:
    """ARM's id for a definition read at `scope`: subscription-qualified below a subscription."""
    subscription = _SUBSCRIPTION_PREFIX.match(scope)
    prefix = subscription.group(1) if subscription else ""
    return f"{prefix}/providers/{ROLE_DEFINITION_TYPE}/{guid}"


def role_definition_body(role: BuiltInRole, scope: str) -> dict[str, Any]:
    return {
        "properties": {
            "roleName": role.name,
            "type": "BuiltInRole",
            "description": role.description,
            "assignableScopes": ["/"],
            "permissions": [permission.to_json() for permission in role.permissions],
            "createdOn": BUILTIN_TIMESTAMP,
            "updatedOn": BUILTIN_TIMESTAMP,
            "createdBy": None,
            "updatedBy": None,
        },
        "id": role_definition_id(role.guid, scope),
        "type": ROLE_DEFINITION_TYPE,
        "name": role.guid,
    }


def _role(entry: dict[str, Any]) -> BuiltInRole:
    return BuiltInRole(
        guid=entry["name"],
        name=entry["roleName"],
        description=entry["description"],
        permissions=tuple(Permission.from_json(block) for block in entry["permissions"]),
    )


@cache
def _by_guid() -> dict[str, BuiltInRole]:
    return {role.guid.lower(): role for role in builtin_roles()}


@cache
def _by_name() -> dict[str, BuiltInRole]:
    return {role.name.lower(): role for role in builtin_roles()}
