"""Secrets and their versions in SQLite, per vault; names are case-insensitive as in Key Vault.

Deletion is soft (the vault's soft delete is always on): every version is marked deleted, the name is
held until it is purged, and `deletedsecrets/{name}` shows the latest version. Values are stored as
given and never leave this module except in a get-secret answer. A deleted vault keeps its secrets
(see `deleted`); they go when the vault is purged.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, resource_key
from provisioner.emulator.keyvault.models import VAULT_TYPE

_SCHEMA = """
CREATE TABLE IF NOT EXISTS keyvault_secrets (
    vault TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    value TEXT NOT NULL,
    content_type TEXT,
    tags TEXT NOT NULL,
    attributes TEXT NOT NULL,
    deleted INTEGER,
    PRIMARY KEY (vault, name_key, version)
)
"""
_COLUMNS = "name, version, value, content_type, tags, attributes, deleted"


@dataclass(frozen=True)
class SecretVersion:
    name: str
    version: str
    value: str
    content_type: str | None
    tags: dict[str, str]
    attributes: dict[str, Any] = field(default_factory=dict)  # enabled, nbf, exp, created, updated
    deleted: int | None = None


def _row(row: sqlite3.Row) -> SecretVersion:
    return SecretVersion(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), row[6])


@contextmanager
def _secrets_table(store: Store) -> Iterator[sqlite3.Connection]:
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        yield conn


def _held_by_deleted(conn: sqlite3.Connection, vault: str, name: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM keyvault_secrets WHERE vault = ? AND name_key = ? AND deleted IS NOT NULL",
            (vault, name.lower()),
        ).fetchone()
    )


def set_secret(store: Store, vault_id: str, secret: SecretVersion) -> SecretVersion:
    """Store a new version (a fresh version id) of the secret; 409 while the name is soft-deleted."""
    vault = resource_key(vault_id)
    with _secrets_table(store) as conn:
        if _held_by_deleted(conn, vault, secret.name):
            raise CloudServiceError(
                409,
                "Conflict",
                f"Secret {secret.name} is currently in a deleted but recoverable state, and its name cannot be "
                "reused; in this state, the secret can only be recovered or purged.",
                extra={"innererror": {"code": "ObjectIsDeletedButRecoverable"}},
            )
        existing = conn.execute(
            "SELECT name FROM keyvault_secrets WHERE vault = ? AND name_key = ? LIMIT 1", (vault, secret.name.lower())
        ).fetchone()
        created = replace(secret, name=existing[0] if existing else secret.name, version=uuid.uuid4().hex)
        conn.execute(
            "INSERT INTO keyvault_secrets (vault, name_key, name, version, value, content_type, tags, attributes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                vault,
                created.name.lower(),
                created.name,
                created.version,
                created.value,
                created.content_type,
                json.dumps(created.tags),
                json.dumps(created.attributes),
            ),
        )
    return created


def _select(store: Store, where: str, args: tuple[Any, ...]) -> list[SecretVersion]:
    with _secrets_table(store) as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM keyvault_secrets WHERE {where}", args).fetchall()
    return [_row(row) for row in rows]


def get_version(store: Store, vault_id: str, name: str, version: str | None) -> SecretVersion | None:
    """A live version, or the latest one when `version` is None or empty."""
    if version:
        found = _select(
            store,
            "vault = ? AND name_key = ? AND version = ? AND deleted IS NULL",
            (resource_key(vault_id), name.lower(), version.lower()),
        )
    else:
        found = _select(
            store,
            "vault = ? AND name_key = ? AND deleted IS NULL ORDER BY rowid DESC LIMIT 1",
            (resource_key(vault_id), name.lower()),
        )
    return found[0] if found else None


def list_latest(store: Store, vault_id: str) -> list[SecretVersion]:
    """The latest version of every live secret, by name."""
    return _select(
        store,
        "rowid IN (SELECT max(rowid) FROM keyvault_secrets WHERE vault = ? AND deleted IS NULL GROUP BY name_key) "
        "ORDER BY name_key",
        (resource_key(vault_id),),
    )


def list_versions(store: Store, vault_id: str, name: str) -> list[SecretVersion]:
    return _select(
        store, "vault = ? AND name_key = ? AND deleted IS NULL ORDER BY rowid", (resource_key(vault_id), name.lower())
    )


def delete_secret(store: Store, vault_id: str, name: str, now: int) -> SecretVersion | None:
    """Soft-delete every version; the latest version as it was, or None when there is no such secret."""
    latest = get_version(store, vault_id, name, None)
    if latest is None:
        return None
    with _secrets_table(store) as conn:
        conn.execute(
            "UPDATE keyvault_secrets SET deleted = ? WHERE vault = ? AND name_key = ?",
            (now, resource_key(vault_id), name.lower()),
        )
    return replace(latest, deleted=now)


def get_deleted(store: Store, vault_id: str, name: str) -> SecretVersion | None:
    found = _select(
        store,
        "vault = ? AND name_key = ? AND deleted IS NOT NULL ORDER BY rowid DESC LIMIT 1",
        (resource_key(vault_id), name.lower()),
    )
    return found[0] if found else None


def purge_secret(store: Store, vault_id: str, name: str) -> bool:
    with _secrets_table(store) as conn:
        cursor = conn.execute(
            "DELETE FROM keyvault_secrets WHERE vault = ? AND name_key = ? AND deleted IS NOT NULL",
            (resource_key(vault_id), name.lower()),
        )
        return cursor.rowcount > 0


def drop_vault_secrets(store: Store, vault_id: str) -> None:
    """Every secret of a vault, live or deleted (its vault is purged)."""
    with _secrets_table(store) as conn:
        conn.execute("DELETE FROM keyvault_secrets WHERE vault = ?", (resource_key(vault_id),))


def secret_scope(store: Store, scope: str) -> bool:
    """`{vault id}/secrets/{name}` is a role assignment scope while the secret exists."""
    vault_id, separator, name = scope.rstrip("/").rpartition("/secrets/")
    vault = store.get_resource(vault_id) if separator and "/" not in name else None
    if vault is None or vault.type != VAULT_TYPE.lower():
        return False
    return get_version(store, vault_id, name, None) is not None
