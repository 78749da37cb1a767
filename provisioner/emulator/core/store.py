"""Persistence of the local cloud: one SQLite file per data dir.

ARM resources are rows keyed by their lower-cased id (ARM ids are case-insensitive) keeping the
casing they were created with; directory objects and group memberships have tables of their own.
Service packages that need more (blobs, secrets, database users) add tables with `add_schema`.

One connection guarded by a lock: requests from many threads serialise on it, and every
multi-row change happens inside `transaction()`, so concurrent writers leave the file consistent.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JSON = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS arm_resources (
    key TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    parent TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS arm_resources_parent ON arm_resources(parent);
CREATE INDEX IF NOT EXISTS arm_resources_type ON arm_resources(type);
CREATE TABLE IF NOT EXISTS directory_objects (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    app_id TEXT,
    display_name TEXT NOT NULL,
    body TEXT NOT NULL,
    visible_at REAL NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS directory_objects_app ON directory_objects(app_id);
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    polls_left INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class StoredResource:
    id: str
    type: str
    parent: str
    body: JSON


@dataclass(frozen=True)
class DirectoryObject:
    id: str
    kind: str  # user | group | servicePrincipal | application
    app_id: str | None
    display_name: str
    body: JSON
    visible_at: float


def resource_key(resource_id: str) -> str:
    return resource_id.rstrip("/").lower()


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._schemas: list[str] = [_SCHEMA]
        self._conn.executescript(_SCHEMA)

    def add_schema(self, script: str) -> None:
        """Create a service's own tables (idempotent statements: CREATE ... IF NOT EXISTS).

        Statements run one by one rather than through `executescript`, which would commit a
        transaction the caller has open (a handler or a delete hook calling this first).
        """
        with self._lock:
            if script in self._schemas:
                return
            for statement in script.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            self._schemas.append(script)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run several statements atomically; nested use joins the outer transaction."""
        with self._lock:
            if self._conn.in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def reset(self) -> None:
        """Forget every resource, directory object and service table (control endpoint)."""
        with self.transaction() as conn:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for table in tables:
                conn.execute(f'DELETE FROM "{table}"')

    # ---- ARM resources -------------------------------------------------------------------

    def get_resource(self, resource_id: str) -> StoredResource | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, type, parent, body FROM arm_resources WHERE key = ?", (resource_key(resource_id),)
            ).fetchone()
        return _resource(row) if row else None

    def put_resource(self, resource_id: str, resource_type: str, parent: str, body: JSON) -> bool:
        """Insert or replace; True when created. The id keeps the casing of its first creation."""
        key = resource_key(resource_id)
        with self.transaction() as conn:
            existing = conn.execute("SELECT 1 FROM arm_resources WHERE key = ?", (key,)).fetchone()
            if existing:
                conn.execute("UPDATE arm_resources SET body = ? WHERE key = ?", (json.dumps(body), key))
                return False
            conn.execute(
                "INSERT INTO arm_resources (key, id, type, parent, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    resource_id,
                    resource_type.lower(),
                    resource_key(parent),
                    json.dumps(body),
                    time.time(),
                ),
            )
            return True

    def delete_resource(self, resource_id: str) -> StoredResource | None:
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT id, type, parent, body FROM arm_resources WHERE key = ?", (resource_key(resource_id),)
            ).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM arm_resources WHERE key = ?", (resource_key(resource_id),))
            return _resource(row)

    def list_resources(
        self,
        *,
        parent: str | None = None,
        resource_type: str | None = None,
        under: str | None = None,
    ) -> list[StoredResource]:
        """Resources filtered by direct parent, type, and/or id prefix (`under`: at or below a scope)."""
        clauses: list[str] = []
        args: list[str] = []
        if parent is not None:
            clauses.append("parent = ?")
            args.append(resource_key(parent))
        if resource_type is not None:
            clauses.append("type = ?")
            args.append(resource_type.lower())
        if under is not None:
            prefix = resource_key(under)
            clauses.append("(key = ? OR substr(key, 1, ?) = ?)")
            args.extend([prefix, str(len(prefix) + 1), prefix + "/"])
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id, type, parent, body FROM arm_resources{where} ORDER BY created_at, key", args
            ).fetchall()
        return [_resource(row) for row in rows]

    # ---- directory -----------------------------------------------------------------------

    def put_directory_object(self, obj: DirectoryObject) -> None:
        with self.transaction() as conn:
            created = conn.execute("SELECT created_at FROM directory_objects WHERE id = ?", (obj.id,)).fetchone()
            conn.execute(
                "INSERT OR REPLACE INTO directory_objects "
                "(id, kind, app_id, display_name, body, visible_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    obj.id,
                    obj.kind,
                    obj.app_id,
                    obj.display_name,
                    json.dumps(obj.body),
                    obj.visible_at,
                    created[0] if created else time.time(),
                ),
            )

    def get_directory_object(self, object_id: str) -> DirectoryObject | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, kind, app_id, display_name, body, visible_at FROM directory_objects WHERE id = ?",
                (object_id.lower(),),
            ).fetchone()
        return _directory_object(row) if row else None

    def find_directory_objects(
        self, *, kind: str | None = None, app_id: str | None = None, display_name: str | None = None
    ) -> list[DirectoryObject]:
        clauses: list[str] = []
        args: list[str] = []
        for column, value in (("kind", kind), ("app_id", app_id), ("display_name", display_name)):
            if value is not None:
                clauses.append(f"{column} = ? COLLATE NOCASE")
                args.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, kind, app_id, display_name, body, visible_at FROM directory_objects"
                f"{where} ORDER BY created_at, id",
                args,
            ).fetchall()
        return [_directory_object(row) for row in rows]

    def delete_directory_object(self, object_id: str) -> bool:
        with self.transaction() as conn:
            conn.execute("DELETE FROM group_members WHERE group_id = ? OR member_id = ?", (object_id, object_id))
            return conn.execute("DELETE FROM directory_objects WHERE id = ?", (object_id,)).rowcount > 0

    def add_member(self, group_id: str, member_id: str) -> bool:
        """True when added, False when already a member."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO group_members (group_id, member_id) VALUES (?, ?)",
                (group_id, member_id),
            )
            return cursor.rowcount > 0

    def remove_member(self, group_id: str, member_id: str) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM group_members WHERE group_id = ? AND member_id = ?", (group_id, member_id)
            )
            return cursor.rowcount > 0

    def members_of(self, group_id: str) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT member_id FROM group_members WHERE group_id = ? ORDER BY rowid", (group_id,)
            ).fetchall()
        return [row[0] for row in rows]

    def groups_of(self, member_id: str) -> set[str]:
        """Every group the object belongs to, directly or through nested groups."""
        found: set[str] = set()
        frontier = [member_id]
        with self._lock:
            while frontier:
                current = frontier.pop()
                for (group_id,) in self._conn.execute(
                    "SELECT group_id FROM group_members WHERE member_id = ?", (current,)
                ):
                    if group_id not in found:
                        found.add(group_id)
                        frontier.append(group_id)
        return found

    # ---- asynchronous operations ---------------------------------------------------------

    def put_operation(self, operation_id: str, body: JSON, polls_left: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO operations (id, body, polls_left) VALUES (?, ?, ?)",
                (operation_id, json.dumps(body), polls_left),
            )

    def poll_operation(self, operation_id: str) -> tuple[JSON, int] | None:
        """The operation's body and how many polls remain before it completes (counting this one)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT body, polls_left FROM operations WHERE id = ?", (operation_id,)).fetchone()
            if row is None:
                return None
            remaining = max(int(row[1]) - 1, 0)
            conn.execute("UPDATE operations SET polls_left = ? WHERE id = ?", (remaining, operation_id))
            return json.loads(row[0]), int(row[1])


def _resource(row: sqlite3.Row) -> StoredResource:
    return StoredResource(id=row[0], type=row[1], parent=row[2], body=json.loads(row[3]))


def _directory_object(row: sqlite3.Row) -> DirectoryObject:
    return DirectoryObject(
        id=row[0], kind=row[1], app_id=row[2], display_name=row[3], body=json.loads(row[4]), visible_at=row[5]
    )
