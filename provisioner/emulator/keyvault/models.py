"""Key vaults: names, shapes, the permission model, and the vault's access policies.

The vault URI is not stored: `vault_view` adds it. Each vault is served at the root of its own port,
`https://127.0.0.1:<vault port>/` (see `emulator/core/vaulthosts.py` for why), and also path style on the
main port, `https://127.0.0.1:PORT/_vaults/<name>/`.
"""

from __future__ import annotations

import uuid
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource

VAULT_TYPE = "Microsoft.KeyVault/vaults"
# API versions from this one on create vaults in RBAC mode unless told otherwise (Azure's 2026 change).
RBAC_DEFAULT_SINCE = "2026-02-01"
MAX_ACCESS_POLICIES = 1024
DEFAULT_RETENTION_DAYS = 90
SKU_NAMES = ("standard", "premium")
PERMISSIONS: dict[str, frozenset[str]] = {
    "keys": frozenset(
        [
            "all",
            "encrypt",
            "decrypt",
            "wrapkey",
            "unwrapkey",
            "sign",
            "verify",
            "get",
            "list",
            "create",
            "update",
            "import",
            "delete",
            "backup",
            "restore",
            "recover",
            "purge",
            "release",
            "rotate",
            "getrotationpolicy",
            "setrotationpolicy",
        ]
    ),
    "secrets": frozenset(["all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge"]),
    "certificates": frozenset(
        [
            "all",
            "get",
            "list",
            "delete",
            "create",
            "import",
            "update",
            "managecontacts",
            "getissuers",
            "listissuers",
            "setissuers",
            "deleteissuers",
            "manageissuers",
            "recover",
            "purge",
            "backup",
            "restore",
        ]
    ),
    "storage": frozenset(
        [
            "all",
            "get",
            "list",
            "delete",
            "set",
            "update",
            "regeneratekey",
            "recover",
            "purge",
            "backup",
            "restore",
            "setsas",
            "listsas",
            "getsas",
            "deletesas",
        ]
    ),
}
# Properties a client may set on create and change later (PUT or PATCH).
WRITABLE_PROPERTIES = (
    "enabledForDeployment",
    "enabledForDiskEncryption",
    "enabledForTemplateDeployment",
    "enableRbacAuthorization",
    "enablePurgeProtection",
    "softDeleteRetentionInDays",
    "publicNetworkAccess",
    "networkAcls",
)


def bad_request(parameter: str) -> CloudServiceError:
    return CloudServiceError(400, "BadRequest", f"An invalid value was provided for '{parameter}'.")


def find_vault(store: Store, name: str) -> StoredResource | None:
    """The vault with this name anywhere in the cloud (names are global and case-insensitive)."""
    for vault in store.list_resources(resource_type=VAULT_TYPE):
        if vault.body["name"].lower() == name.lower():
            return vault
    return None


def check_name_free(store: Store, vault_id: str, name: str) -> None:
    holder = find_vault(store, name)
    if holder is not None and holder.id.lower() != vault_id.lower():
        raise CloudServiceError(
            409,
            "VaultAlreadyExists",
            f"The vault name '{name}' is already in use. Vault names are globally unique so it is possible that the "
            "name is already taken. If you are sure that the vault name was not taken then it is possible that a "
            "vault with the same name was recently deleted but not purged after being placed in a recoverable "
            "state. If the vault is in a recoverable state then the vault will need to be purged before reusing "
            "the name. For more information on soft delete and purging a vault follow this link "
            "https://go.microsoft.com/fwlink/?linkid=2147740.",
        )


def create_mode(request: dict[str, Any]) -> str:
    """`properties.createMode`: `default` (create or update) or `recover` (a soft-deleted vault)."""
    mode = str((request.get("properties") or {}).get("createMode") or "default").lower()
    if mode not in ("default", "recover"):
        raise bad_request("createMode")
    return mode


def _tenant(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise bad_request("tenantId") from exc


def _sku(value: object) -> dict[str, str]:
    sku = value if isinstance(value, dict) else {}
    if str(sku.get("family", "")).upper() != "A" or str(sku.get("name", "")).lower() not in SKU_NAMES:
        raise bad_request("sku")
    return {"family": "A", "name": str(sku["name"]).lower()}


def _writable(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: properties[key] for key in WRITABLE_PROPERTIES if key in properties}


def vault_body(
    base: dict[str, Any], request: dict[str, Any], existing: StoredResource | None, api_version: str
) -> dict[str, Any]:
    """The stored vault for a create or replace (PUT)."""
    requested = request.get("properties") or {}
    previous = existing.body["properties"] if existing else {}
    rbac_default = previous.get("enableRbacAuthorization", api_version >= RBAC_DEFAULT_SINCE)
    properties: dict[str, Any] = {
        "sku": _sku(requested.get("sku")),
        "tenantId": _tenant(requested.get("tenantId")),
        "accessPolicies": [],
        "enabledForDeployment": False,
        "enableSoftDelete": True,
        "softDeleteRetentionInDays": DEFAULT_RETENTION_DAYS,
        "enableRbacAuthorization": rbac_default,
        "publicNetworkAccess": "Enabled",
        "provisioningState": "Succeeded",
    }
    properties |= _writable(previous) | _writable(requested)
    if "accessPolicies" in requested:
        properties["accessPolicies"] = checked_policies(requested["accessPolicies"])
    elif existing is not None:
        properties["accessPolicies"] = previous["accessPolicies"]
    elif not properties["enableRbacAuthorization"]:
        raise CloudServiceError(400, "BadRequest", "The parameter accessPolicies is not specified.")
    return base | {"properties": properties}


def update_vault(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A PATCH: tags and the properties given; everything else stays."""
    updated = dict(body)
    if "tags" in changes:
        updated["tags"] = changes["tags"] or {}
    requested = changes.get("properties") or {}
    properties = body["properties"] | _writable(requested)
    if "sku" in requested:
        properties["sku"] = _sku(requested["sku"])
    if "tenantId" in requested:
        properties["tenantId"] = _tenant(requested["tenantId"])
    if "accessPolicies" in requested:
        properties["accessPolicies"] = checked_policies(requested["accessPolicies"])
    updated["properties"] = properties
    return updated


def vault_view(body: dict[str, Any], vault_uri: str) -> dict[str, Any]:
    return body | {"properties": body["properties"] | {"vaultUri": vault_uri}}


# ---- access policies ---------------------------------------------------------------------


def _policy(entry: object) -> dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("permissions"), dict):
        raise bad_request("accessPolicies")
    policy: dict[str, Any] = {"tenantId": _tenant(entry.get("tenantId")), "objectId": str(entry.get("objectId") or "")}
    if not policy["objectId"]:
        raise bad_request("accessPolicies")
    if entry.get("applicationId"):
        policy["applicationId"] = str(entry["applicationId"])
    permissions: dict[str, list[str]] = {}
    for category, values in entry["permissions"].items():
        allowed = PERMISSIONS.get(category)
        if allowed is None or not isinstance(values, list) or any(str(v).lower() not in allowed for v in values):
            raise bad_request("accessPolicies")
        permissions[category] = [str(value) for value in values]
    policy["permissions"] = permissions
    return policy


def checked_policies(entries: object) -> list[dict[str, Any]]:
    if not isinstance(entries, list):
        raise bad_request("accessPolicies")
    return _within_limit([_policy(entry) for entry in entries])


def _within_limit(policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(policies) > MAX_ACCESS_POLICIES:
        raise CloudServiceError(
            400,
            "BadRequest",
            f"An invalid value was provided for 'accessPolicies'. A vault can have at most {MAX_ACCESS_POLICIES} "
            f"access policies; this change would give it {len(policies)}.",
        )
    return policies


def _identity(policy: dict[str, Any]) -> tuple[str, str, str]:
    return policy["tenantId"].lower(), policy["objectId"].lower(), str(policy.get("applicationId", "")).lower()


def _union(current: list[str], added: list[str]) -> list[str]:
    merged = list(current)
    for value in added:
        if value.lower() not in {item.lower() for item in merged}:
            merged.append(value)
    return merged


def _difference(current: list[str], removed: list[str]) -> list[str]:
    gone = {value.lower() for value in removed}
    return [value for value in current if value.lower() not in gone]


def _merge(existing: dict[str, Any], change: dict[str, Any], operation: str) -> dict[str, Any]:
    if operation == "replace":
        return existing | {"permissions": change["permissions"]}
    combine = _union if operation == "add" else _difference
    categories = list(existing["permissions"]) + [
        name for name in change["permissions"] if name not in existing["permissions"]
    ]
    permissions = {
        category: combine(existing["permissions"].get(category, []), change["permissions"].get(category, []))
        for category in categories
    }
    return existing | {"permissions": permissions}


def apply_policy_change(current: list[dict[str, Any]], changes: object, operation: str) -> list[dict[str, Any]]:
    """Azure's incremental update: entries are matched by tenant, object and application id; `add`
    merges permissions, `remove` subtracts them (an entry left with none goes), `replace` sets them."""
    if operation not in ("add", "replace", "remove"):
        raise bad_request("operationKind")
    policies = [dict(policy) for policy in current]
    for change in checked_policies(changes):
        index = next((i for i, policy in enumerate(policies) if _identity(policy) == _identity(change)), None)
        if index is None:
            if operation != "remove":
                policies.append(change)
            continue
        policies[index] = _merge(policies[index], change, operation)
        if not any(policies[index]["permissions"].values()):
            del policies[index]
    return _within_limit(policies)
