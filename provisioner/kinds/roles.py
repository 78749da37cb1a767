"""Built-in Azure role names and their role definition GUIDs (the same in every tenant)."""

from __future__ import annotations

import re

from provisioner.language.suggestions import did_you_mean

BUILT_IN_ROLES: dict[str, str] = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "SQL DB Contributor": "9b7fa17d-e63e-47b0-bb0a-15c516ac86ec",
}

_GUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
_DEFINITION = re.compile(
    rf"(?:/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/({_GUID})",
    re.IGNORECASE,
)
_BY_LOWER = {name.lower(): guid for name, guid in BUILT_IN_ROLES.items()}


def role_definition_guid(role: str) -> str | None:
    """The GUID of a built-in role name (any case), a role definition GUID or id; else None."""
    if role.lower() in _BY_LOWER:
        return _BY_LOWER[role.lower()]
    if re.fullmatch(_GUID, role):
        return role.lower()
    match = _DEFINITION.fullmatch(role)
    return match.group(1).lower() if match else None


def unknown_role_hint(role: str) -> str:
    return did_you_mean(role, BUILT_IN_ROLES) or "use a built-in role name or a role definition id"
