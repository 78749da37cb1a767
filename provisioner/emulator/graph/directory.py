"""The directory (Entra ID) model: users, groups, service principals, as Graph shows them."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from provisioner.emulator.core.store import DirectoryObject, Store

ODATA_TYPES = {
    "user": "#microsoft.graph.user",
    "group": "#microsoft.graph.group",
    "servicePrincipal": "#microsoft.graph.servicePrincipal",
}


@dataclass(frozen=True)
class ManagedIdentityPrincipal:
    principal_id: str
    client_id: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_managed_identity_principal(
    store: Store, *, display_name: str, resource_id: str, replication_delay: float
) -> ManagedIdentityPrincipal:
    """The service principal Azure creates for a system- or user-assigned identity.

    With a replication delay it exists at once in Graph but stays invisible to ARM's role
    assignment checks until `visible_at` (as Azure's directory replication does).
    """
    principal_id = str(uuid.uuid4())
    client_id = str(uuid.uuid4())
    body = {
        "id": principal_id,
        "accountEnabled": True,
        "appId": client_id,
        "displayName": display_name,
        "servicePrincipalType": "ManagedIdentity",
        "servicePrincipalNames": [client_id, f"https://identity.azure.net/{uuid.uuid4().hex}"],
        "alternativeNames": [
            f"isExplicit={'True' if _is_user_assigned(resource_id) else 'False'}",
            resource_id,
        ],
        "appOwnerOrganizationId": None,
        "createdDateTime": _now(),
        "tags": [],
    }
    store.put_directory_object(
        DirectoryObject(
            id=principal_id,
            kind="servicePrincipal",
            app_id=client_id,
            display_name=display_name,
            body=body,
            visible_at=time.time() + replication_delay,
        )
    )
    return ManagedIdentityPrincipal(principal_id=principal_id, client_id=client_id)


def _is_user_assigned(resource_id: str) -> bool:
    return "/microsoft.managedidentity/userassignedidentities/" in resource_id.lower()


def create_group(store: Store, fields: dict[str, Any]) -> DirectoryObject:
    group_id = str(uuid.uuid4())
    body = {
        "id": group_id,
        "deletedDateTime": None,
        "classification": None,
        "createdDateTime": _now(),
        "description": fields.get("description"),
        "displayName": fields["displayName"],
        "groupTypes": fields.get("groupTypes", []),
        "mail": None,
        "mailEnabled": fields["mailEnabled"],
        "mailNickname": fields["mailNickname"],
        "securityEnabled": fields["securityEnabled"],
        "visibility": fields.get("visibility"),
        "isAssignableToRole": fields.get("isAssignableToRole"),
    }
    group = DirectoryObject(
        id=group_id,
        kind="group",
        app_id=None,
        display_name=body["displayName"],
        body=body,
        visible_at=time.time(),
    )
    store.put_directory_object(group)
    return group


def create_user(store: Store, *, display_name: str, user_principal_name: str, object_id: str | None = None) -> None:
    user_id = object_id or str(uuid.uuid4())
    body = {
        "id": user_id,
        "displayName": display_name,
        "userPrincipalName": user_principal_name,
        "mail": user_principal_name,
        "givenName": display_name.split(" ", maxsplit=1)[0],
        "surname": display_name.rsplit(" ", maxsplit=1)[-1],
        "accountEnabled": True,
    }
    store.put_directory_object(
        DirectoryObject(
            id=user_id, kind="user", app_id=None, display_name=display_name, body=body, visible_at=time.time()
        )
    )


def graph_view(obj: DirectoryObject) -> dict[str, Any]:
    """The object as Graph returns it, with its @odata.type."""
    return {"@odata.type": ODATA_TYPES[obj.kind], **obj.body}


def visible_to_arm(obj: DirectoryObject | None) -> bool:
    return obj is not None and obj.visible_at <= time.time()
