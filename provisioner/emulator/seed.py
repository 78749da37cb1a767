"""What every fresh local cloud contains: the operator principal (Owner on the subscription, allowed to
manage groups and app role assignments in Graph), Microsoft Graph's service principal (with its
application permissions) and a couple of users for SQL admin examples. Idempotent."""

from __future__ import annotations

import time
import uuid

from provisioner.emulator.arm.ids import subscription_id
from provisioner.emulator.authorization.models import OWNER_ROLE_GUID, store_role_assignment
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.core.store import DirectoryObject
from provisioner.emulator.graph.app_roles import ensure_graph_service_principal
from provisioner.emulator.graph.directory import create_user

TENANT_DOMAIN = "provisionlocal.onmicrosoft.com"
SEEDED_USERS = (
    ("Alice Admin", f"alice@{TENANT_DOMAIN}"),
    ("Bob Builder", f"bob@{TENANT_DOMAIN}"),
)


def seed_cloud(cloud: LocalCloud) -> None:
    identity = cloud.identity
    store = cloud.store
    ensure_graph_service_principal(store, identity.tenant_id)
    if store.get_directory_object(identity.operator_object_id) is not None:
        return
    with store.transaction():
        store.put_directory_object(
            DirectoryObject(
                id=identity.operator_object_id,
                kind="servicePrincipal",
                app_id=identity.operator_client_id,
                display_name=identity.operator_display_name,
                body={
                    "id": identity.operator_object_id,
                    "accountEnabled": True,
                    "appId": identity.operator_client_id,
                    "displayName": identity.operator_display_name,
                    "servicePrincipalType": "Application",
                    "servicePrincipalNames": [identity.operator_client_id],
                    "appOwnerOrganizationId": identity.tenant_id,
                },
                visible_at=time.time(),
            )
        )
        store_role_assignment(
            store,
            scope=subscription_id(identity.subscription_id),
            name=str(uuid.uuid5(uuid.NAMESPACE_URL, f"operator-owner/{identity.subscription_id}")),
            role_guid=OWNER_ROLE_GUID,
            principal_id=identity.operator_object_id,
            principal_type="ServicePrincipal",
            subscription=identity.subscription_id,
            created_by=identity.operator_object_id,
        )
        for display_name, upn in SEEDED_USERS:
            create_user(store, display_name=display_name, user_principal_name=upn)
