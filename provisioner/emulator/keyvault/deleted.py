"""Soft-deleted vaults: every deleted vault (by its own DELETE or with its resource group) is kept, with
its access policies and secrets, until it is purged, recovered, or its retention period ends.

The record holds the vault's body as it was; its secrets stay in the secrets table under the vault's
id, so a recovery (a PUT of the same vault with `createMode: recover`) brings both back. A deleted
vault holds its name: a new vault of that name is refused until the deleted one is purged. Azure
purges a deleted vault itself at its `scheduledPurgeDate`; here it is dropped at the first look after.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.keyvault import secrets
from provisioner.emulator.keyvault.models import DEFAULT_RETENTION_DAYS, VAULT_TYPE
from provisioner.emulator.resources.cascade import on_delete

DELETED_TYPE = "Microsoft.KeyVault/deletedVaults"
SECONDS_PER_DAY = 86400
_SCHEMA = """
CREATE TABLE IF NOT EXISTS keyvault_deleted_vaults (
    name_key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    deleted_at REAL NOT NULL,
    purge_at REAL NOT NULL
)
"""


@dataclass(frozen=True)
class DeletedVault:
    vault: dict[str, Any]  # the vault's stored body when it was deleted
    deleted_at: float
    purge_at: float

    @property
    def name(self) -> str:
        return str(self.vault["name"])

    @property
    def location(self) -> str:
        return str(self.vault["location"])

    @property
    def vault_id(self) -> str:
        return str(self.vault["id"])

    @property
    def purge_protected(self) -> bool:
        return bool(self.vault["properties"].get("enablePurgeProtection"))


def record_deletion(store: Store, vault: dict[str, Any], now: float) -> None:
    """Keep a vault that was just deleted for its retention period (`softDeleteRetentionInDays`)."""
    days = int(vault["properties"].get("softDeleteRetentionInDays", DEFAULT_RETENTION_DAYS))
    deleted = DeletedVault(vault, now, now + days * SECONDS_PER_DAY)
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO keyvault_deleted_vaults (name_key, body, deleted_at, purge_at) VALUES (?, ?, ?, ?)",
            (deleted.name.lower(), json.dumps(vault), deleted.deleted_at, deleted.purge_at),
        )


def list_deleted(store: Store, now: float) -> list[DeletedVault]:
    """Every deleted vault still within its retention period, oldest deletion first."""
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT body, deleted_at, purge_at FROM keyvault_deleted_vaults ORDER BY deleted_at, name_key"
        ).fetchall()
    found = [DeletedVault(json.loads(row[0]), row[1], row[2]) for row in rows]
    for expired in (item for item in found if item.purge_at <= now):
        purge(store, expired)
    return [item for item in found if item.purge_at > now]


def find_deleted(store: Store, name: str, now: float) -> DeletedVault | None:
    """The deleted vault holding this name (names are global and case-insensitive), if any."""
    return next((item for item in list_deleted(store, now) if item.name.lower() == name.lower()), None)


def purge(store: Store, deleted: DeletedVault) -> None:
    """Forget the deleted vault and its secrets for good: the name is free again."""
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        conn.execute("DELETE FROM keyvault_deleted_vaults WHERE name_key = ?", (deleted.name.lower(),))
        secrets.drop_vault_secrets(store, deleted.vault_id)


def take_for_recovery(store: Store, vault_id: str, name: str, now: float) -> dict[str, Any]:
    """The deleted vault's body, taken out of the deleted state (its secrets are still stored under
    its id); 400 SoftDeletedVaultDoesNotExist when no vault of this name is deleted."""
    deleted = find_deleted(store, name, now)
    if deleted is None:
        raise CloudServiceError(
            400,
            "SoftDeletedVaultDoesNotExist",
            "A soft deleted vault with the given name does not exist. Ensure that the name for the vault that is "
            "being attempted to recover is in a recoverable state.",
        )
    if deleted.vault_id.lower() != vault_id.lower():
        raise CloudServiceError(
            400,
            "BadRequest",
            f"The deleted vault '{deleted.name}' can only be recovered into its original resource group "
            f"'{deleted.vault_id.split('/')[4]}'.",
        )
    with store.transaction() as conn:
        conn.execute("DELETE FROM keyvault_deleted_vaults WHERE name_key = ?", (name.lower(),))
    return deleted.vault


def check_not_deleted(store: Store, name: str, now: float) -> None:
    """409 ConflictError while a deleted vault holds the name (create without `createMode: recover`)."""
    if find_deleted(store, name, now) is not None:
        raise CloudServiceError(
            409,
            "ConflictError",
            "A vault with the same name already exists in deleted state. You need to either recover or purge "
            "existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more "
            "information on soft delete.",
        )


def deleted_vault_id(subscription: str, location: str, name: str) -> str:
    return f"/subscriptions/{subscription}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deleted_view(deleted: DeletedVault, subscription: str) -> dict[str, Any]:
    """The REST shape of `Microsoft.KeyVault/deletedVaults` (getDeletedVault.json)."""
    return {
        "id": deleted_vault_id(subscription, deleted.location, deleted.name),
        "name": deleted.name,
        "type": DELETED_TYPE,
        "properties": {
            "vaultId": deleted.vault_id,
            "location": deleted.location,
            "tags": deleted.vault.get("tags") or {},
            "deletionDate": _iso(deleted.deleted_at),
            "scheduledPurgeDate": _iso(deleted.purge_at),
            "purgeProtectionEnabled": deleted.purge_protected,
        },
    }


@on_delete
def _soft_delete(store: Store, resource: StoredResource) -> None:
    """A vault deleted by its own DELETE or with its resource group is soft-deleted, as in Azure."""
    if resource.type == VAULT_TYPE.lower():
        record_deletion(store, resource.body, time.time())
