"""What a local MySQL flexible server keeps inside: its Entra users (`CREATE AADUSER`), their grants per
database, and one small seeded table (`sample`) per database. Rows live in the local cloud's store and
go with the server or database (delete hook)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from provisioner.emulator.core.store import Store, StoredResource, resource_key
from provisioner.emulator.mysql.models import DATABASE_TYPE, SERVER_TYPE
from provisioner.emulator.resources.cascade import on_delete

SAMPLE_TABLE = "sample"
SEEDED_ROWS = ((1, "seeded row one"), (2, "seeded row two"))
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS mysql_users (
    server TEXT NOT NULL,
    name TEXT NOT NULL,
    principal TEXT NOT NULL,
    PRIMARY KEY (server, name)
);
CREATE TABLE IF NOT EXISTS mysql_grants (
    server TEXT NOT NULL,
    name TEXT NOT NULL,
    database TEXT NOT NULL,
    privilege TEXT NOT NULL,
    PRIMARY KEY (server, name, database, privilege)
);
CREATE TABLE IF NOT EXISTS mysql_sample_rows (
    database TEXT NOT NULL,
    id INTEGER NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (database, id)
)
"""


@dataclass(frozen=True)
class AadUser:
    name: str
    principal: str
    """The client id or object id given to `IDENTIFIED BY` (lower case)."""


class ServerAccounts:
    """The users and grants of one server (names compare case-sensitively, as MySQL's do)."""

    def __init__(self, store: Store, server_id: str) -> None:
        self.store = store
        self.key = resource_key(server_id)

    @contextmanager
    def _tables(self) -> Iterator[sqlite3.Connection]:
        self.store.add_schema(_SCHEMA)
        with self.store.transaction() as conn:
            yield conn

    def users(self) -> list[AadUser]:
        with self._tables() as conn:
            rows = conn.execute("SELECT name, principal FROM mysql_users WHERE server = ? ORDER BY name", (self.key,))
            return [AadUser(row[0], row[1]) for row in rows.fetchall()]

    def user(self, name: str) -> AadUser | None:
        return next((user for user in self.users() if user.name == name), None)

    def add_user(self, name: str, principal: str) -> bool:
        with self._tables() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO mysql_users (server, name, principal) VALUES (?, ?, ?)",
                (self.key, name, principal.lower()),
            )
            return cursor.rowcount > 0

    def drop_user(self, name: str) -> bool:
        with self._tables() as conn:
            conn.execute("DELETE FROM mysql_grants WHERE server = ? AND name = ?", (self.key, name))
            return conn.execute("DELETE FROM mysql_users WHERE server = ? AND name = ?", (self.key, name)).rowcount > 0

    def grants(self, name: str) -> dict[str, set[str]]:
        """database -> privileges of a user."""
        with self._tables() as conn:
            rows = conn.execute(
                "SELECT database, privilege FROM mysql_grants WHERE server = ? AND name = ? "
                "ORDER BY database, privilege",
                (self.key, name),
            ).fetchall()
        found: dict[str, set[str]] = {}
        for database, privilege in rows:
            found.setdefault(database, set()).add(privilege)
        return found

    def grant(self, name: str, database: str, privileges: list[str]) -> None:
        with self._tables() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO mysql_grants (server, name, database, privilege) VALUES (?, ?, ?, ?)",
                [(self.key, name, database, privilege) for privilege in privileges],
            )

    def revoke(self, name: str, database: str, privileges: list[str]) -> int:
        with self._tables() as conn:
            return sum(
                conn.execute(
                    "DELETE FROM mysql_grants WHERE server = ? AND name = ? AND database = ? AND privilege = ?",
                    (self.key, name, database, privilege),
                ).rowcount
                for privilege in privileges
            )

    def drop_all(self) -> None:
        with self._tables() as conn:
            conn.execute("DELETE FROM mysql_grants WHERE server = ?", (self.key,))
            conn.execute("DELETE FROM mysql_users WHERE server = ?", (self.key,))


class SampleTable:
    """The seeded table of one database."""

    def __init__(self, store: Store, database_id: str) -> None:
        self.store = store
        self.key = resource_key(database_id)

    @contextmanager
    def _table(self) -> Iterator[sqlite3.Connection]:
        self.store.add_schema(_SCHEMA)
        with self.store.transaction() as conn:
            count = conn.execute("SELECT COUNT(*) FROM mysql_sample_rows WHERE database = ?", (self.key,)).fetchone()
            if count[0] == 0:
                conn.executemany(
                    "INSERT INTO mysql_sample_rows (database, id, note) VALUES (?, ?, ?)",
                    [(self.key, row_id, note) for row_id, note in SEEDED_ROWS],
                )
            yield conn

    def rows(self, limit: int) -> list[tuple[int, str]]:
        with self._table() as conn:
            found = conn.execute(
                "SELECT id, note FROM mysql_sample_rows WHERE database = ? ORDER BY id LIMIT ?", (self.key, limit)
            ).fetchall()
        return [(int(row[0]), str(row[1])) for row in found]

    def insert(self, note: str) -> None:
        with self._table() as conn:
            last = conn.execute("SELECT MAX(id) FROM mysql_sample_rows WHERE database = ?", (self.key,)).fetchone()
            conn.execute(
                "INSERT INTO mysql_sample_rows (database, id, note) VALUES (?, ?, ?)",
                (self.key, int(last[0]) + 1, note),
            )

    def drop(self) -> None:
        self.store.add_schema(_SCHEMA)
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM mysql_sample_rows WHERE database = ?", (self.key,))


@on_delete
def _drop_contents(store: Store, resource: StoredResource) -> None:
    if resource.type == SERVER_TYPE.lower():
        ServerAccounts(store, resource.id).drop_all()
    elif resource.type == DATABASE_TYPE.lower():
        SampleTable(store, resource.id).drop()
