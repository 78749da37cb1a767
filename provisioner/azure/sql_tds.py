"""T-SQL over TDS with the real python-tds client, as the target's credential (an Entra token for
https://database.windows.net/ in LOGIN7's FEDAUTH extension). Same code for both targets; only the
address and the CA differ: Azure is `<server>.database.windows.net:1433` with the system CA, the local
cloud one TDS listener (from its control API, `GET /_cloud/sql-tds`) with its own CA, and the server
named in LOGIN7 as on Azure.

pytds 1.17 checks the certificate's name with `X509.get_extension`, which pyOpenSSL 25 removed, so its
host check is off (`validate_host=False`); the chain is still verified against the CA.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any

import certifi
import httpx
import pytds

from provisioner.azure.errors import cloud_error
from provisioner.azure.target import Target
from provisioner.errors import CloudError

AZURE_SQL_SUFFIX = ".database.windows.net"
AZURE_SQL_PORT = 1433
TIMEOUT_SECONDS = 30.0
LOGIN_FAILED = 18456
CANNOT_OPEN_DATABASE = 4060
STATUS_BY_NUMBER = {LOGIN_FAILED: 401, 40615: 403, 40532: 404, CANNOT_OPEN_DATABASE: 404}


def quote_name(name: str) -> str:
    """A T-SQL delimited identifier (QUOTENAME): `[name]`, with `]` doubled."""
    return "[" + name.replace("]", "]]") + "]"


@dataclass(frozen=True)
class SqlResult:
    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class TdsAddress:
    host: str
    port: int
    cafile: str


def connect(address: TdsAddress, fqdn: str, database: str, token: str, timeout: float = TIMEOUT_SECONDS) -> Any:
    """A pytds connection (autocommit) to `fqdn`/`database` through `address`, logged in with `token`."""
    sock = socket.create_connection((address.host, address.port), timeout)
    return pytds.connect(
        dsn=fqdn,
        port=address.port,
        database=database,
        cafile=address.cafile,
        validate_host=False,
        access_token_callable=lambda: token,
        sock=sock,
        autocommit=True,
        timeout=timeout,
        login_timeout=timeout,
        disable_connect_retry=True,
    )


def run(address: TdsAddress, server: str, database: str, token: str, statement: str) -> SqlResult:
    """Log in to `server`/`database` with `token`, run one batch, log out."""
    fqdn = server if "." in server else f"{server}{AZURE_SQL_SUFFIX}"
    try:
        with connect(address, fqdn, database, token) as connection, connection.cursor() as cursor:
            cursor.execute(statement)
            if cursor.description is None:
                return SqlResult([], [])
            columns = [str(column[0]) for column in cursor.description]
            return SqlResult(columns, [list(row) for row in cursor.fetchall()])
    except (pytds.Error, TimeoutError, OSError) as failure:
        raise _sql_error(failure, fqdn) from None


def _sql_error(failure: Exception, fqdn: str) -> CloudError:
    """SQL Server's number as the error code, its message as the text (pytds wraps what it retried)."""
    cause = failure.__cause__ if isinstance(failure, TimeoutError) and failure.__cause__ else failure
    number = getattr(cause, "msg_no", None)
    message = str(getattr(cause, "text", None) or cause or type(cause).__name__)
    if number == LOGIN_FAILED and "Cannot open database" in message:
        number = CANNOT_OPEN_DATABASE  # SQL Server sends 4060, then 18456; pytds keeps the last
    if number is None:
        return cloud_error(None, "ConnectionFailed", f"TDS connection to {fqdn} failed: {message}")
    return cloud_error(STATUS_BY_NUMBER.get(number, 400), str(number), message)


class SqlConnector:
    """Runs one T-SQL statement at a time in a database, as the target's credential."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._local: TdsAddress | None = None

    def query(self, server: str, database: str, statement: str) -> SqlResult:
        token = self._target.credential.get_token(self._target.profile.sql_scope).token
        return run(self.address(server), self._fqdn(server), database, token, statement)

    def _fqdn(self, server: str) -> str:
        return server if "." in server else f"{server}.{self._target.profile.sql_suffix}"

    def address(self, server: str) -> TdsAddress:
        if not self._target.profile.local:
            return TdsAddress(self._fqdn(server.split(".", maxsplit=1)[0]), AZURE_SQL_PORT, certifi.where())
        with self._lock:
            if self._local is None:
                self._local = local_address(self._target)
            return self._local

    def close(self) -> None:
        """Nothing held between statements (each one logs in)."""


def local_address(target: Target, path: str = "/_cloud/sql-tds") -> TdsAddress:
    """A listener of the local cloud (TDS, or MySQL with `/_cloud/mysql`), from its control API (which
    answers only the operator)."""
    token = target.credential.get_token(target.profile.arm_scope).token
    ca = str(target.ca_bundle) if target.ca_bundle else certifi.where()
    try:
        with httpx.Client(verify=ssl.create_default_context(cafile=ca), timeout=TIMEOUT_SECONDS) as http:
            answer = http.get(f"{target.profile.arm_endpoint}{path}", headers={"Authorization": f"Bearer {token}"})
        body = answer.json()
    except (httpx.HTTPError, ValueError) as failure:
        raise cloud_error(None, "ControlApiFailed", f"the local cloud's control API failed: {failure}") from None
    if answer.is_error:
        raise cloud_error(answer.status_code, "ControlApiFailed", answer.text[:200])
    return TdsAddress(str(body["host"]), int(body["port"]), ca)
