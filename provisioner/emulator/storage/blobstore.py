"""Blob contents and properties in SQLite, keyed by container resource id and blob name; dropped with
their container, their account or anything above them (delete hooks)."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate

from provisioner.emulator.core.store import Store, StoredResource, resource_key
from provisioner.emulator.resources.cascade import on_delete
from provisioner.emulator.storage.models import ACCOUNT_TYPE, CONTAINER_TYPE, new_etag

_SCHEMA = """
CREATE TABLE IF NOT EXISTS storage_blobs (
    container TEXT NOT NULL,
    name TEXT NOT NULL,
    content BLOB NOT NULL,
    content_type TEXT NOT NULL,
    content_md5 TEXT NOT NULL,
    etag TEXT NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (container, name)
)
"""
_COLUMNS = "name, length(content), content_type, content_md5, etag, created, modified, metadata"


@dataclass(frozen=True)
class BlobProperties:
    name: str
    size: int
    content_type: str
    content_md5: str
    etag: str
    created: float
    modified: float
    metadata: dict[str, str]


def _properties(row: sqlite3.Row) -> BlobProperties:
    return BlobProperties(row[0], int(row[1]), row[2], row[3], row[4], row[5], row[6], json.loads(row[7]))


@contextmanager
def _blobs_table(store: Store) -> Iterator[sqlite3.Connection]:
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        yield conn


def http_time(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


def content_md5(content: bytes) -> str:
    return base64.b64encode(hashlib.md5(content, usedforsecurity=False).digest()).decode()


def write_blob(
    store: Store, container_id: str, name: str, content: bytes, content_type: str, metadata: dict[str, str]
) -> BlobProperties:
    """Create or replace a block blob; its creation time survives a replace."""
    now = time.time()
    with _blobs_table(store) as conn:
        row = conn.execute(
            "SELECT created FROM storage_blobs WHERE container = ? AND name = ?", (resource_key(container_id), name)
        ).fetchone()
        created = row[0] if row else now
        properties = BlobProperties(
            name, len(content), content_type, content_md5(content), new_etag(), created, now, metadata
        )
        conn.execute(
            "INSERT OR REPLACE INTO storage_blobs "
            "(container, name, content, content_type, content_md5, etag, created, modified, metadata) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                resource_key(container_id),
                name,
                content,
                content_type,
                properties.content_md5,
                properties.etag,
                created,
                now,
                json.dumps(metadata),
            ),
        )
    return properties


def set_metadata(store: Store, container_id: str, name: str, metadata: dict[str, str]) -> BlobProperties | None:
    """Replace a blob's metadata (Set Blob Metadata): a new ETag and Last-Modified, the content kept."""
    with _blobs_table(store) as conn:
        cursor = conn.execute(
            "UPDATE storage_blobs SET metadata = ?, etag = ?, modified = ? WHERE container = ? AND name = ?",
            (json.dumps(metadata), new_etag(), time.time(), resource_key(container_id), name),
        )
    return blob_properties(store, container_id, name) if cursor.rowcount else None


def blob_properties(store: Store, container_id: str, name: str) -> BlobProperties | None:
    with _blobs_table(store) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM storage_blobs WHERE container = ? AND name = ?",
            (resource_key(container_id), name),
        ).fetchone()
    return _properties(row) if row else None


def read_blob(store: Store, container_id: str, name: str, start: int, length: int) -> bytes:
    """`length` bytes from `start` (SQLite's substr counts from 1)."""
    if length <= 0:
        return b""
    with _blobs_table(store) as conn:
        row = conn.execute(
            "SELECT substr(content, ?, ?) FROM storage_blobs WHERE container = ? AND name = ?",
            (start + 1, length, resource_key(container_id), name),
        ).fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def delete_blob(store: Store, container_id: str, name: str) -> bool:
    with _blobs_table(store) as conn:
        cursor = conn.execute(
            "DELETE FROM storage_blobs WHERE container = ? AND name = ?", (resource_key(container_id), name)
        )
        return cursor.rowcount > 0


def list_blobs(
    store: Store, container_id: str, *, prefix: str, marker: str, limit: int
) -> tuple[list[BlobProperties], str | None]:
    """One page of blobs in name order from `marker`, and the marker of the next page (None at the end)."""
    with _blobs_table(store) as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM storage_blobs WHERE container = ? AND name >= ? "
            "AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?",
            (resource_key(container_id), marker, len(prefix), prefix, limit + 1),
        ).fetchall()
    page = [_properties(row) for row in rows]
    return page[:limit], (page[limit].name if len(page) > limit else None)


@on_delete
def _drop_blobs(store: Store, resource: StoredResource) -> None:
    if resource.type not in (CONTAINER_TYPE.lower(), ACCOUNT_TYPE.lower()):
        return
    key = resource_key(resource.id)
    with _blobs_table(store) as conn:
        conn.execute(
            "DELETE FROM storage_blobs WHERE container = ? OR substr(container, 1, ?) = ?",
            (key, len(key) + 1, key + "/"),
        )
