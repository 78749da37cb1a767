"""T-SQL over TDS with the real python-tds client, as the target's credential (an Entra token for
https://database.windows.net/ in LOGIN7's FEDAUTH extension). Same code for both targets; only the
address and the CA differ: Azure is `<server>.database.windows.net:1433` with the system CA, the local
cloud one TDS listener (from its control API, `GET /_cloud/sql-tds`) with its own CA, and the server
named in LOGIN7 as on Azure.

pytds 1.17 checks the certificate's name with `X509.get_extension`, which pyOpenSSL 25 removed, so its
host check is off (`validate_host=False`); the chain is still verified against the CA.
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass
from typing import Any

import certifi
import pytds

from provisioner.azure.errors import cloud_error
from provisioner.azure.listeners import local_listener
from provisioner.azure.target import Target
from provisioner.errors import CloudError

AZURE_SQL_SUFFIX = ".database.windows.net"
AZURE_SQL_PORT = 1433
TIMEOUT_SECONDS = 30.0
# python-tds sleeps out the whole login timeout after an error it thinks transient (40532, 40615):
# a login that takes longer than this on Azure is failing anyway.
LOGIN_TIMEOUT_SECONDS = 10.0
LOGIN_FAILED = 18456
CANNOT_OPEN_DATABASE = 4060
FIREWALL_REFUSED = 40615
# SQL Server's numbers as HTTP-like statuses for the error tree: refusals 401/403, gone 404, and what
# Azure SQL documents as transient (40613 database unavailable, 40501 service busy, 40197) 503.
STATUS_BY_NUMBER = {
    LOGIN_FAILED: 401,
    FIREWALL_REFUSED: 403,
    916: 403,  # the login may not open the database under the current security context
    229: 403,  # permission denied on an object
    15247: 403,  # no permission for the statement
    40532: 404,
    CANNOT_OPEN_DATABASE: 404,
    40613: 503,
    40501: 503,
    40197: 503,
}
CLIENT_IP = re.compile(r"Client with IP address '([^']+)'")


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


def connect(
    address: TdsAddress,
    fqdn: str,
    database: str,
    token: str,
    timeout: float = TIMEOUT_SECONDS,
    login_timeout: float = LOGIN_TIMEOUT_SECONDS,
) -> Any:
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
        login_timeout=min(timeout, login_timeout),
        disable_connect_retry=True,
    )


def run(
    address: TdsAddress,
    server: str,
    database: str,
    token: str,
    statement: str,
    login_timeout: float = LOGIN_TIMEOUT_SECONDS,
) -> SqlResult:
    """Log in to `server`/`database` with `token`, run one batch, log out."""
    fqdn = server if "." in server else f"{server}{AZURE_SQL_SUFFIX}"
    try:
        with (
            connect(address, fqdn, database, token, login_timeout=login_timeout) as connection,
            connection.cursor() as cursor,
        ):
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
    joined = cause.args[0] if cause.args and isinstance(cause.args[0], str) else None  # every message, in order
    message = str(joined or getattr(cause, "text", None) or cause or type(cause).__name__)
    if number == LOGIN_FAILED and "Cannot open database" in message:
        number = CANNOT_OPEN_DATABASE  # SQL Server sends 4060, then 18456; pytds keeps the last
    if number is None:
        return cloud_error(None, "ConnectionFailed", f"TDS connection to {fqdn} failed: {message}")
    if number == FIREWALL_REFUSED:
        message += _firewall_fix(fqdn, message)
    return cloud_error(STATUS_BY_NUMBER.get(number, 400), str(number), message)


def _firewall_fix(fqdn: str, message: str) -> str:
    """The server firewall rule that would admit this client (Azure names its address in 40615)."""
    found = CLIENT_IP.search(message)
    if found is None:
        return ""
    ip, server = found.group(1), fqdn.split(".", maxsplit=1)[0]
    rule = "client-" + re.sub(r"[.:]", "-", ip)
    return (
        f" To admit this client, add the firewall rule Microsoft.Sql/servers/{server}/firewallRules/{rule} with "
        f"startIpAddress = endIpAddress = {ip} (`az sql server firewall-rule create --resource-group <group> "
        f"--server {server} --name {rule} --start-ip-address {ip} --end-ip-address {ip}`)."
    )


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


def local_address(target: Target) -> TdsAddress:
    """The local cloud's TDS listener, from its control API."""
    return TdsAddress(*local_listener(target, "sql-tds"))
