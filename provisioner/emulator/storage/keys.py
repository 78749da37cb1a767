"""Storage account keys (key1, key2): 64 random bytes, base64, kept apart from the ARM body so that no
GET or list ever shows them; only `listKeys` / `regenerateKey` answer them, and nothing logs them."""

from __future__ import annotations

import base64
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from provisioner.emulator.core.store import Store, StoredResource, resource_key
from provisioner.emulator.resources.cascade import on_delete
from provisioner.emulator.storage.models import ACCOUNT_TYPE, invalid_parameter

KEY_NAMES = ("key1", "key2")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS storage_account_keys (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (account, name)
)
"""


@dataclass(frozen=True)
class AccountKey:
    name: str
    value: str
    created: str

    def to_json(self) -> dict[str, str]:
        return {"keyName": self.name, "value": self.value, "permissions": "FULL", "creationTime": self.created}


def _new_value() -> str:
    return base64.b64encode(secrets.token_bytes(64)).decode()


@contextmanager
def _keys_table(store: Store) -> Iterator[sqlite3.Connection]:
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        yield conn


def _write(store: Store, account_id: str, name: str, created: str) -> None:
    with _keys_table(store) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO storage_account_keys (account, name, value, created) VALUES (?, ?, ?, ?)",
            (resource_key(account_id), name, _new_value(), created),
        )


def create_keys(store: Store, account_id: str, created: str) -> None:
    for name in KEY_NAMES:
        _write(store, account_id, name, created)


def account_keys(store: Store, account_id: str) -> list[AccountKey]:
    with _keys_table(store) as conn:
        rows = conn.execute(
            "SELECT name, value, created FROM storage_account_keys WHERE account = ? ORDER BY name",
            (resource_key(account_id),),
        ).fetchall()
    return [AccountKey(row[0], row[1], row[2]) for row in rows]


def regenerate_key(store: Store, account_id: str, name: str | None, created: str) -> None:
    if name not in KEY_NAMES:
        raise invalid_parameter("keyName")
    _write(store, account_id, name, created)


@on_delete
def _drop_keys(store: Store, resource: StoredResource) -> None:
    if resource.type != ACCOUNT_TYPE.lower():
        return
    with _keys_table(store) as conn:
        conn.execute("DELETE FROM storage_account_keys WHERE account = ?", (resource_key(resource.id),))
