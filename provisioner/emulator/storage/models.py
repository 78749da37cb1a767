"""Storage accounts and blob containers: names, shapes and the rules Azure applies to them.

Endpoints are not stored: `account_view` adds `primaryEndpoints.blob` for the URL the client reached
the local cloud at, so an account made by one run of the local cloud still works on another port.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource

ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
CONTAINER_TYPE = "Microsoft.Storage/storageAccounts/blobServices/containers"
BLOB_SERVICE_PATH = "blobServices/default"
_ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")
KINDS = ("Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage")
SKU_TIERS = {
    "Standard_LRS": "Standard",
    "Standard_GRS": "Standard",
    "Standard_RAGRS": "Standard",
    "Standard_ZRS": "Standard",
    "Standard_GZRS": "Standard",
    "Standard_RAGZRS": "Standard",
    "Premium_LRS": "Premium",
    "Premium_ZRS": "Premium",
}
# Properties a client may set on create (PUT) and change later (PUT or PATCH).
WRITABLE_PROPERTIES = (
    "allowBlobPublicAccess",
    "allowSharedKeyAccess",
    "allowCrossTenantReplication",
    "defaultToOAuthAuthentication",
    "minimumTlsVersion",
    "supportsHttpsTrafficOnly",
    "publicNetworkAccess",
    "accessTier",
    "networkAcls",
)
PUBLIC_ACCESS_LEVELS = ("None", "Container", "Blob")


def check_account_name(name: str) -> None:
    if not _ACCOUNT_NAME.match(name):
        raise CloudServiceError(
            400,
            "AccountNameInvalid",
            f"{name} is not a valid storage account name. Storage account name must be between 3 and 24 "
            "characters in length and use numbers and lower-case letters only.",
        )


def find_account(store: Store, name: str) -> StoredResource | None:
    """The storage account with this name anywhere in the cloud (names are globally unique)."""
    for account in store.list_resources(resource_type=ACCOUNT_TYPE):
        if account.body["name"] == name:
            return account
    return None


def check_name_free(store: Store, account_id: str, name: str) -> None:
    """Refuse a name another account already has, in Azure's words for where that account is."""
    holder = find_account(store, name)
    if holder is None or holder.id.lower() == account_id.lower():
        return
    if holder.id.split("/")[2].lower() == account_id.split("/")[2].lower():
        raise CloudServiceError(
            409,
            "StorageAccountInAnotherResourceGroup",
            f"The account {name} is already in another resource group in this subscription.",
        )
    raise CloudServiceError(409, "StorageAccountAlreadyTaken", f"The storage account named {name} is already taken.")


def invalid_parameter(parameter: str) -> CloudServiceError:
    return CloudServiceError(
        400, "InvalidValuesForRequestParameters", f"Values for request parameters are invalid: {parameter}."
    )


def _sku(request: dict[str, Any]) -> dict[str, str]:
    name = str((request.get("sku") or {}).get("name", ""))
    if name not in SKU_TIERS:
        raise invalid_parameter("sku.name")
    return {"name": name, "tier": SKU_TIERS[name]}


def _kind(request: dict[str, Any]) -> str:
    kind = str(request.get("kind", ""))
    if kind not in KINDS:
        raise invalid_parameter("kind")
    return kind


def _writable(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: properties[key] for key in WRITABLE_PROPERTIES if key in properties}


def account_body(
    base: dict[str, Any], request: dict[str, Any], existing: StoredResource | None, now: str
) -> dict[str, Any]:
    """The stored account for a create or replace (PUT); creation-time facts survive a replace."""
    requested = request.get("properties") or {}
    kind = _kind(request)
    previous = existing.body["properties"] if existing else None
    properties: dict[str, Any] = {
        "keyCreationTime": previous["keyCreationTime"] if previous else {"key1": now, "key2": now},
        "privateEndpointConnections": [],
        "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False,
        "isHnsEnabled": previous["isHnsEnabled"] if previous else bool(requested.get("isHnsEnabled", False)),
        "networkAcls": {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Allow"},
        "supportsHttpsTrafficOnly": True,
        "encryption": _encryption(now),
        "provisioningState": "Succeeded",
        "creationTime": previous["creationTime"] if previous else now,
        "primaryLocation": base["location"],
        "statusOfPrimary": "available",
    }
    if kind in ("StorageV2", "BlobStorage"):
        properties["accessTier"] = "Hot"
    properties |= _writable(previous or {}) | _writable(requested)
    return base | {"kind": kind, "sku": _sku(request), "properties": properties}


def _encryption(now: str) -> dict[str, Any]:
    service = {"keyType": "Account", "enabled": True, "lastEnabledTime": now}
    return {"services": {"blob": dict(service), "file": dict(service)}, "keySource": "Microsoft.Storage"}


def update_account(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A PATCH: tags, sku, kind and the writable properties; everything else stays."""
    updated = dict(body)
    if "tags" in changes:
        updated["tags"] = changes["tags"] or {}
    if changes.get("sku"):
        updated["sku"] = _sku(changes)
    if changes.get("kind"):
        updated["kind"] = _kind(changes)
    updated["properties"] = body["properties"] | _writable(changes.get("properties") or {})
    return updated


def blob_endpoint(base_url: str, account_name: str) -> str:
    """The account's blob endpoint on the local cloud: path style, the account as first segment."""
    return f"{base_url}/{account_name}/"


def account_view(body: dict[str, Any], base_url: str) -> dict[str, Any]:
    endpoints = {"blob": blob_endpoint(base_url, body["name"])}
    return body | {"properties": body["properties"] | {"primaryEndpoints": endpoints}}


def shared_key_allowed(account: StoredResource) -> bool:
    """`allowSharedKeyAccess` null (never set) means allowed, as in Azure."""
    return account.body["properties"].get("allowSharedKeyAccess") is not False


# ---- containers --------------------------------------------------------------------------


def container_id(account_id: str, name: str) -> str:
    return f"{account_id}/{BLOB_SERVICE_PATH}/containers/{name}"


def blob_service_id(account_id: str) -> str:
    return f"{account_id}/{BLOB_SERVICE_PATH}"


def new_etag() -> str:
    return f'"0x8D{uuid.uuid4().hex[:13].upper()}"'


def container_body(
    resource_id: str, name: str, now: str, public_access: str = "None", metadata: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "id": resource_id,
        "name": name,
        "type": CONTAINER_TYPE,
        "etag": new_etag(),
        "properties": {
            "publicAccess": public_access,
            "leaseStatus": "Unlocked",
            "leaseState": "Available",
            "lastModifiedTime": now,
            "hasImmutabilityPolicy": False,
            "hasLegalHold": False,
            "deleted": False,
            "remainingRetentionDays": 0,
            "defaultEncryptionScope": "$account-encryption-key",
            "denyEncryptionScopeOverride": False,
            "metadata": metadata or {},
        },
    }


def check_public_access(account: StoredResource, public_access: str) -> None:
    if public_access not in PUBLIC_ACCESS_LEVELS:
        raise invalid_parameter("publicAccess")
    if public_access != "None" and account.body["properties"].get("allowBlobPublicAccess") is not True:
        raise CloudServiceError(
            409, "PublicAccessNotPermitted", "Public access is not permitted on this storage account."
        )


def save_container(store: Store, account_id: str, body: dict[str, Any]) -> bool:
    """Store a container (the ARM and the data plane share it); True when it is new."""
    return store.put_resource(body["id"], CONTAINER_TYPE, blob_service_id(account_id), body)
