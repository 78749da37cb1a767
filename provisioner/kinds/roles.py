"""Built-in Azure role names and their role definition GUIDs (the same in every tenant)."""

from __future__ import annotations

import json
import re
from importlib import resources

from provisioner.language.suggestions import did_you_mean


def _catalogue() -> dict[str, str]:
    text = resources.files(__package__).joinpath("builtin_role_ids.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


# Azure's whole built-in catalogue, name -> role definition GUID (928 roles, as `az role definition
# list` returned them in August 2026; the local cloud serves the same catalogue with permissions).
BUILT_IN_ROLES: dict[str, str] = _catalogue()

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
