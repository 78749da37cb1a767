"""SQL on Azure Database for PostgreSQL with the real psycopg driver, as an Entra principal: the login
user is the principal's name, the password a token for the ossrdbms audience, TLS with the host name
verified (`sslmode=verify-full`). Same code for both targets: Azure is
`<server>.postgres.database.azure.com:5432` with the system CA; the local cloud is its one PostgreSQL
listener (`GET /_cloud/postgres`) reached as `hostaddr`, with the server's host name as `host` (libpq
sends it as TLS SNI and checks the certificate against it) and the local cloud's CA.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from provisioner.azure.errors import cloud_error
from provisioner.azure.listeners import local_listener
from provisioner.azure.target import Target
from provisioner.errors import CloudError

AZURE_PORT = 5432
TIMEOUT_SECONDS = 30
STATUS_BY_SQLSTATE = {"28P01": 401, "28000": 401, "42501": 403, "3D000": 404}

# libpq reports a refused sign-in as text only (no SQLSTATE reaches psycopg): PostgreSQL's fixed wording.
REFUSALS = (
    (re.compile(r'FATAL:\s+password authentication failed for user "(.*)"'), "28P01"),
    (re.compile(r"FATAL:\s+no pg_hba\.conf entry"), "28000"),
    (re.compile(r'FATAL:\s+role "(.*)" does not exist'), "28000"),
    (re.compile(r'FATAL:\s+database "(.*)" does not exist'), "3D000"),
)

Statement = str | sql.Composable
"""One statement: text, or composed with `psycopg.sql` (identifiers quoted by quote_ident rules)."""


@dataclass(frozen=True)
class PgAddress:
    """Where to connect: `host` is the server's name (SNI and certificate), `hostaddr` the IP to dial
    (None: resolve `host`), `sslrootcert` a CA file or libpq's `system`."""

    host: str
    hostaddr: str | None
    port: int
    sslrootcert: str


def connect(address: PgAddress, database: str, user: str, token: str, timeout: int = TIMEOUT_SECONDS) -> Any:
    """A psycopg connection (autocommit) as `user` with `token` as its password."""
    options: dict[str, Any] = {"hostaddr": address.hostaddr} if address.hostaddr else {}
    return psycopg.connect(
        host=address.host,
        port=address.port,
        dbname=database,
        user=user,
        password=token,
        sslmode="verify-full",
        sslrootcert=address.sslrootcert,
        connect_timeout=timeout,
        autocommit=True,
        **options,
    )


def run(
    address: PgAddress, database: str, user: str, token: str, statements: Sequence[Statement]
) -> list[tuple[Any, ...]]:
    """Sign in, run the statements in order, sign out; the rows of the last one."""
    try:
        with connect(address, database, user, token) as connection, connection.cursor() as cursor:
            rows: list[tuple[Any, ...]] = []
            for statement in statements:
                cursor.execute(statement)
                rows = list(cursor.fetchall()) if cursor.description is not None else []
            return rows
    except psycopg.Error as failure:
        raise pg_error(failure, address.host) from None


def pg_error(failure: psycopg.Error, host: str) -> CloudError:
    """PostgreSQL's SQLSTATE as the error code, its primary message as the text."""
    state = failure.sqlstate
    message = (failure.diag.message_primary if state else None) or str(failure).strip() or type(failure).__name__
    for pattern, refused in REFUSALS if state is None else ():
        found = pattern.search(message)
        if found is not None:
            state, message = refused, found.group(0).split(":", 1)[1].strip()
            break
    if state is None:
        return cloud_error(None, "ConnectionFailed", f"connection to {host} failed: {message}")
    return cloud_error(STATUS_BY_SQLSTATE.get(state, 400), state, message)


class PostgresConnector:
    """Runs statements on a flexible server's database as the target's credential."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._local: tuple[str, int, str] | None = None

    def run(self, server: str, database: str, user: str, statements: Sequence[Statement]) -> list[tuple[Any, ...]]:
        token = self._target.credential.get_token(self._target.profile.ossrdbms_scope).token
        return run(self.address(server), database, user, token, statements)

    def address(self, server: str) -> PgAddress:
        host = f"{server}.{self._target.profile.postgres_suffix}"
        if not self._target.profile.local:
            return PgAddress(host, None, AZURE_PORT, "system")
        with self._lock:
            if self._local is None:
                self._local = local_listener(self._target, "postgres")
            ip, port, ca = self._local
        return PgAddress(host, ip, port, ca)

    def close(self) -> None:
        """Nothing held between calls (each signs in)."""
