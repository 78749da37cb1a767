"""Microsoft Graph's own service principal (its application permissions as `appRoles`) and the app role
assignments that grant them to other service principals (`servicePrincipals/{id}/appRoleAssignments`)."""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from provisioner.emulator.core.store import DirectoryObject, Store

MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
# Microsoft Graph's application permissions as its service principal lists them (ids as in Graph's
# permissions reference; the same in every tenant).
GRAPH_APP_ROLES = {
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c6d2cf0f7d",
    "AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b",
    "Group.ReadWrite.All": "62a82d76-70ea-41e2-9197-370581804d09",
    "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
    "GroupMember.ReadWrite.All": "dbaae8cf-10b5-4b86-a4a1-f871c94c6695",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS app_role_assignments (
    id TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    app_role_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS app_role_assignments_principal ON app_role_assignments(principal_id)
"""


@dataclass(frozen=True)
class AppRoleAssignment:
    id: str
    principal_id: str
    resource_id: str
    app_role_id: str
    body: dict[str, Any]


def graph_service_principal_id(tenant_id: str) -> str:
    """The object id of Microsoft Graph's service principal in this tenant (stable per data dir)."""
    return str(uuid.uuid5(uuid.UUID(tenant_id), MICROSOFT_GRAPH_APP_ID))


def ensure_graph_service_principal(store: Store, tenant_id: str) -> DirectoryObject:
    """Microsoft Graph's service principal, created on first use (also for data dirs made before it)."""
    object_id = graph_service_principal_id(tenant_id)
    found = store.get_directory_object(object_id)
    if found is not None:
        return found
    roles = [_app_role(value, role_id) for value, role_id in sorted(GRAPH_APP_ROLES.items())]
    body = {
        "id": object_id,
        "accountEnabled": True,
        "appId": MICROSOFT_GRAPH_APP_ID,
        "appDisplayName": "Microsoft Graph",
        "displayName": "Microsoft Graph",
        "servicePrincipalType": "Application",
        "servicePrincipalNames": ["https://graph.microsoft.com", MICROSOFT_GRAPH_APP_ID],
        "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
        "appRoles": roles,
    }
    obj = DirectoryObject(object_id, "servicePrincipal", MICROSOFT_GRAPH_APP_ID, "Microsoft Graph", body, time.time())
    store.put_directory_object(obj)
    return obj


def _app_role(value: str, role_id: str) -> dict[str, Any]:
    return {
        "allowedMemberTypes": ["Application"],
        "description": f"Allows the app to use {value} without a signed-in user.",
        "displayName": value,
        "id": role_id,
        "isEnabled": True,
        "origin": "Application",
        "value": value,
    }


@contextmanager
def _table(store: Store) -> Iterator[sqlite3.Connection]:
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        yield conn


def _assignment_id() -> str:
    """Graph's assignment ids are 43-character URL-safe base64 keys."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def add_assignment(
    store: Store, principal: DirectoryObject, resource: DirectoryObject, app_role_id: str
) -> AppRoleAssignment | None:
    """The new assignment, or None when an equal one exists."""
    if any(a.resource_id == resource.id and a.app_role_id == app_role_id for a in assignments_of(store, principal.id)):
        return None
    assignment_id = _assignment_id()
    body = {
        "id": assignment_id,
        "deletedDateTime": None,
        "appRoleId": app_role_id,
        "createdDateTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "principalDisplayName": principal.display_name,
        "principalId": principal.id,
        "principalType": "ServicePrincipal",
        "resourceDisplayName": resource.display_name,
        "resourceId": resource.id,
    }
    with _table(store) as conn:
        conn.execute(
            "INSERT INTO app_role_assignments (id, principal_id, resource_id, app_role_id, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (assignment_id, principal.id, resource.id, app_role_id, json.dumps(body)),
        )
    return AppRoleAssignment(assignment_id, principal.id, resource.id, app_role_id, body)


def assignments_of(store: Store, principal_id: str) -> list[AppRoleAssignment]:
    with _table(store) as conn:
        rows = conn.execute(
            "SELECT id, principal_id, resource_id, app_role_id, body FROM app_role_assignments "
            "WHERE principal_id = ? ORDER BY rowid",
            (principal_id.lower(),),
        ).fetchall()
    return [AppRoleAssignment(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]


def remove_assignment(store: Store, principal_id: str, assignment_id: str) -> bool:
    with _table(store) as conn:
        cursor = conn.execute(
            "DELETE FROM app_role_assignments WHERE principal_id = ? AND id = ?", (principal_id.lower(), assignment_id)
        )
        return cursor.rowcount > 0


def granted_permissions(store: Store, tenant_id: str, principal_id: str) -> frozenset[str]:
    """The Microsoft Graph application permissions (by value) a service principal holds."""
    graph = graph_service_principal_id(tenant_id)
    names = {role_id: value for value, role_id in GRAPH_APP_ROLES.items()}
    return frozenset(
        names[a.app_role_id]
        for a in assignments_of(store, principal_id)
        if a.resource_id == graph and a.app_role_id in names
    )
