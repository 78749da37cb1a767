"""Role assignments: the rules ARM applies when they are created, read, listed and deleted."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from provisioner.emulator.arm.access import ROLE_ASSIGNMENT_TYPE, role_guid
from provisioner.emulator.auth.builtin_roles import builtin_role
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.graph.directory import visible_to_arm

OWNER_ROLE_GUID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
PRINCIPAL_TYPES = {"user": "User", "group": "Group", "servicePrincipal": "ServicePrincipal"}
VALID_PRINCIPAL_TYPES = frozenset({"User", "Group", "ServicePrincipal", "ForeignGroup", "Device"})
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def assignment_id(scope: str, name: str) -> str:
    return f"{scope.rstrip('/')}/providers/Microsoft.Authorization/roleAssignments/{name}"


def role_definition_id(subscription: str, guid: str) -> str:
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def store_role_assignment(
    store: Store,
    *,
    scope: str,
    name: str,
    role_guid: str,
    principal_id: str,
    principal_type: str,
    subscription: str,
    created_by: str,
    description: str | None = None,
) -> dict[str, Any]:
    stamp = _now()
    body: dict[str, Any] = {
        "properties": {
            "roleDefinitionId": role_definition_id(subscription, role_guid),
            "principalId": principal_id,
            "principalType": principal_type,
            "scope": scope,
            "condition": None,
            "conditionVersion": None,
            "createdOn": stamp,
            "updatedOn": stamp,
            "createdBy": created_by,
            "updatedBy": created_by,
            "delegatedManagedIdentityResourceId": None,
            "description": description,
        },
        "id": assignment_id(scope, name),
        "type": ROLE_ASSIGNMENT_TYPE,
        "name": name,
    }
    store.put_resource(body["id"], ROLE_ASSIGNMENT_TYPE, scope, body)
    return body


def check_assignment_name(name: str) -> None:
    if not _GUID.match(name):
        raise CloudServiceError(
            400,
            "InvalidRoleAssignmentId",
            f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
        )


def check_role_definition(definition_id: str) -> str:
    guid = role_guid(definition_id)
    if builtin_role(guid) is None:
        raise CloudServiceError(
            400,
            "RoleDefinitionDoesNotExist",
            f"The specified role definition with ID '{guid}' does not exist.",
        )
    return guid


def resolve_principal_type(store: Store, principal_id: str, requested: str | None, tenant_id: str) -> str:
    """The principal's actual type; PrincipalNotFound while it is missing or not yet replicated."""
    if requested is not None and requested not in VALID_PRINCIPAL_TYPES:
        raise CloudServiceError(400, "InvalidPrincipalType", f"The principal type '{requested}' is not valid.")
    found = store.get_directory_object(principal_id)
    if found is None or not visible_to_arm(found):
        raise CloudServiceError(
            400,
            "PrincipalNotFound",
            f"Principal {principal_id.replace('-', '')} does not exist in the directory {tenant_id}. Check that "
            "you have the correct principal ID. If you are creating this principal and then immediately "
            "assigning a role, this error might be related to a replication delay. In this case, set the role "
            "assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See "
            "https://aka.ms/docs-principaltype",
        )
    actual = PRINCIPAL_TYPES[found.kind]
    if requested is not None and requested != actual:
        raise CloudServiceError(
            400,
            "UnmatchedPrincipalType",
            f"The PrincipalType in the request '{requested}' does not match the actual PrincipalType "
            f"'{actual}' of principal id '{principal_id}'.",
        )
    return actual


def find_equal_assignment(store: Store, scope: str, role: str, principal_id: str) -> StoredResource | None:
    """An assignment with the same scope, role and principal, whatever its name."""
    for existing in store.list_resources(parent=scope, resource_type=ROLE_ASSIGNMENT_TYPE):
        properties = existing.body["properties"]
        if role_guid(properties["roleDefinitionId"]) == role and properties["principalId"].lower() == principal_id:
            return existing
    return None


def new_assignment_name() -> str:
    return str(uuid.uuid4())


# Role assignment fields that exist only from the api-version that introduced them (the
# Microsoft.Authorization specs: 2020-04-01-preview added the condition, its version, the description
# and the delegated managed identity); older api-versions answer without them, as recorded.
_FIELDS_SINCE = {
    "condition": "2020-04-01-preview",
    "conditionVersion": "2020-04-01-preview",
    "description": "2020-04-01-preview",
    "delegatedManagedIdentityResourceId": "2020-04-01-preview",
}


def assignment_view(body: dict[str, Any], api_version: str, *, just_created: bool = False) -> dict[str, Any]:
    """A stored assignment as ARM answers it at `api_version`. The answer to the PUT that created it
    says `createdBy: null` (recorded at 2018 and 2022 api-versions); reads name the creator."""
    properties = {
        key: value
        for key, value in body["properties"].items()
        if key not in _FIELDS_SINCE or api_version >= _FIELDS_SINCE[key]
    }
    if just_created:
        properties["createdBy"] = None
    return body | {"properties": properties}
