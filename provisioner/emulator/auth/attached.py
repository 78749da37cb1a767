"""Managed identities attached to a VM or web app, and which of them a token request means (IMDS and
App Service rules)."""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource


@dataclass(frozen=True)
class AttachedIdentity:
    principal_id: str
    client_id: str
    resource_id: str
    system: bool


def attached_identities(store: Store, resource: StoredResource) -> list[AttachedIdentity]:
    """The system-assigned identity first (if any), then the user-assigned ones."""
    identity = resource.body.get("identity") or {}
    found: list[AttachedIdentity] = []
    principal = identity.get("principalId")
    if principal and "SystemAssigned" in identity.get("type", ""):
        service_principal = store.get_directory_object(principal)
        client_id = service_principal.app_id if service_principal else None
        found.append(AttachedIdentity(principal, client_id or "", resource.id, True))
    for uai_id, details in (identity.get("userAssignedIdentities") or {}).items():
        found.append(AttachedIdentity(details["principalId"], details["clientId"], uai_id, False))
    return found


def select_identity(identities: list[AttachedIdentity], selector: tuple[str, str] | None) -> AttachedIdentity:
    """IMDS's rules: the system identity by default, else the only user-assigned one."""
    if selector is None:
        system = [item for item in identities if item.system]
        if system:
            return system[0]
        if len(identities) == 1:
            return identities[0]
        if not identities:
            raise CloudServiceError(400, "invalid_request", "Identity not found")
        raise CloudServiceError(
            400,
            "invalid_request",
            "Multiple user assigned identities exist, please specify the clientId / resourceId of the "
            "identity in the token request",
        )
    key, value = selector
    for item in identities:
        candidate = {"client_id": item.client_id, "object_id": item.principal_id}.get(key, item.resource_id)
        if candidate.lower() == value.lower():
            return item
    raise CloudServiceError(400, "invalid_request", "Identity not found")
