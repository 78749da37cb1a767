"""Azure's built-in role definitions, all of them, with their real ids, descriptions and permissions.

`builtin_roles.json.gz` holds Azure's whole built-in catalogue (928 roles, as `az role definition
list` returned it in August 2026; one role a line, gzipped because the text is ~1 MB): each role's
GUID name, roleName, description, permission blocks and ARM's createdOn/updatedOn stamps. This
module loads it and renders a definition the way ARM answers `roleDefinitions` GETs and lists.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from provisioner.emulator.auth.rbac import Permission

ROLE_DEFINITION_TYPE = "Microsoft.Authorization/roleDefinitions"
_SUBSCRIPTION_PREFIX = re.compile(r"^(/subscriptions/[^/]+)", re.IGNORECASE)


@dataclass(frozen=True)
class BuiltInRole:
    guid: str
    name: str
    description: str
    permissions: tuple[Permission, ...]
    created_on: str
    updated_on: str


@cache
def builtin_roles() -> tuple[BuiltInRole, ...]:
    packed = resources.files(__package__).joinpath("builtin_roles.json.gz").read_bytes()
    return tuple(_role(entry) for entry in json.loads(gzip.decompress(packed)))


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
            "createdOn": role.created_on,
            "updatedOn": role.updated_on,
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
        created_on=entry["createdOn"],
        updated_on=entry["updatedOn"],
    )


@cache
def _by_guid() -> dict[str, BuiltInRole]:
    return {role.guid.lower(): role for role in builtin_roles()}


@cache
def _by_name() -> dict[str, BuiltInRole]:
    return {role.name.lower(): role for role in builtin_roles()}
