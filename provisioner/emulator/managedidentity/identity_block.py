"""The ARM `identity` block of a VM or web app, shared by Compute and Web: which identities a write
attaches, creating or deleting the resource's system-assigned service principal."""

from __future__ import annotations

from typing import Any

from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.graph.directory import create_managed_identity_principal

USER_ASSIGNED_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
IDENTITY_TYPES = {
    "none": "None",
    "systemassigned": "SystemAssigned",
    "userassigned": "UserAssigned",
    "systemassigned,userassigned": "SystemAssigned, UserAssigned",
}


def normalise_identity_block(requested: dict[str, Any] | None) -> tuple[str, list[str]]:
    """(canonical type, user-assigned identity ids) from a request's `identity` block."""
    if not requested:
        return "None", []
    raw_type = str(requested.get("type", "None"))
    canonical = IDENTITY_TYPES.get(raw_type.replace(" ", "").lower())
    if canonical is None:
        raise CloudServiceError(
            400,
            "InvalidIdentityType",
            f"The identity type '{raw_type}' is not valid. Supported types: None, SystemAssigned, UserAssigned, "
            "'SystemAssigned, UserAssigned'.",
        )
    # `{id: null}` removes an identity (PATCH); only the ones with a value stay attached.
    requested_map = requested.get("userAssignedIdentities") or {}
    user_assigned = [uai_id for uai_id, value in requested_map.items() if value is not None]
    if "UserAssigned" in canonical and not user_assigned:
        raise CloudServiceError(
            400,
            "InvalidIdentityValues",
            "Invalid value for the identities property: 'userAssignedIdentities' must be specified when the "
            "identity type includes 'UserAssigned'.",
        )
    if "UserAssigned" not in canonical and user_assigned:
        raise CloudServiceError(
            400,
            "InvalidIdentityValues",
            "Invalid value for the identities property: 'userAssignedIdentities' may only be specified when the "
            "identity type includes 'UserAssigned'.",
        )
    return canonical, user_assigned


def apply_identity_block(
    store: Store,
    *,
    owner_id: str,
    owner_name: str,
    previous: dict[str, Any] | None,
    requested: dict[str, Any] | None,
    tenant_id: str,
    replication_delay: float,
    max_user_assigned_name: int | None = None,
) -> dict[str, Any] | None:
    """The resource's new `identity` block, creating or deleting its system service principal.

    A system identity keeps its principal while it stays enabled; user-assigned identities must exist.
    """
    canonical, user_assigned_ids = normalise_identity_block(requested)
    previous = previous or {}
    had_system = "SystemAssigned" in str(previous.get("type", ""))
    wants_system = "SystemAssigned" in canonical
    block: dict[str, Any] = {"type": canonical}
    if wants_system and had_system:
        block["principalId"] = previous["principalId"]
        block["tenantId"] = previous["tenantId"]
    elif wants_system:
        created = create_managed_identity_principal(
            store, display_name=owner_name, resource_id=owner_id, replication_delay=replication_delay
        )
        block["principalId"] = created.principal_id
        block["tenantId"] = tenant_id
    elif had_system:
        store.delete_directory_object(previous["principalId"])
    if user_assigned_ids:
        block["userAssignedIdentities"] = {
            uai_id: _user_assigned_details(store, uai_id, max_user_assigned_name) for uai_id in user_assigned_ids
        }
    return None if canonical == "None" and not previous else block


def _user_assigned_details(store: Store, uai_id: str, max_name: int | None) -> dict[str, str]:
    found = store.get_resource(uai_id)
    if found is None or found.type != USER_ASSIGNED_TYPE.lower():
        raise CloudServiceError(
            400,
            "FailedIdentityOperation",
            f"Identity ({uai_id}) not found or is not a user assigned identity.",
        )
    if max_name is not None and len(found.body["name"]) > max_name:
        raise CloudServiceError(
            400,
            "FailedIdentityOperation",
            f"User assigned identity '{found.body['name']}' has a name longer than {max_name} characters and "
            "cannot be assigned to a virtual machine.",
        )
    properties = found.body["properties"]
    return {"principalId": properties["principalId"], "clientId": properties["clientId"]}


def identity_for_write(
    call: Call,
    *,
    owner_id: str,
    owner_name: str,
    previous: StoredResource | None,
    requested: dict[str, Any] | None,
    patch: bool,
    max_user_assigned_name: int | None = None,
) -> dict[str, Any] | None:
    """The identity block after a PUT or PATCH of a VM or web app.

    A request without `identity` keeps the resource's. A PATCH merges user-assigned identities into
    the ones already attached (`{id: null}` detaches one); a PUT states the whole set.
    """
    kept = previous.body.get("identity") if previous else None
    if requested is None:
        return kept
    if patch:
        requested = _merged_patch(kept, requested)
    return apply_identity_block(
        call.cloud.store,
        owner_id=owner_id,
        owner_name=owner_name,
        previous=kept,
        requested=requested,
        tenant_id=call.cloud.identity.tenant_id,
        replication_delay=call.cloud.faults.settings.replication_delay,
        max_user_assigned_name=max_user_assigned_name,
    )


def _merged_patch(kept: dict[str, Any] | None, requested: dict[str, Any]) -> dict[str, Any]:
    if "UserAssigned" not in str(requested.get("type", "")):
        return requested
    attached: dict[str, Any] = {uai_id: {} for uai_id in ((kept or {}).get("userAssignedIdentities") or {})}
    changes = requested.get("userAssignedIdentities") or {}
    lowered = {uai_id.lower(): uai_id for uai_id in attached}
    for uai_id, value in changes.items():
        attached.pop(lowered.get(uai_id.lower(), uai_id), None)
        attached[uai_id] = value
    return requested | {"userAssignedIdentities": attached}
