"""MySQL over its wire protocol with the real PyMySQL client, as the target's credential: the user
name is the Entra principal's MySQL user, the password an Entra token for ossrdbms-aad (sent with the
`mysql_clear_password` plugin, so TLS is required). Same code for both targets; only the address and
the CA differ: Azure is `<server>.mysql.database.azure.com:3306` with the system CA, the local cloud one
listener (from `GET /_cloud/mysql`) with its own CA. Either way the TLS server name is the server's
FQDN, which is how the local listener tells servers apart.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any

import certifi
import pymysql

from provisioner.azure.errors import cloud_error
from provisioner.azure.listeners import local_listener
from provisioner.azure.sql_tds import SqlResult, TdsAddress
from provisioner.azure.target import Target
from provisioner.errors import CloudError

MYSQL_SUFFIX = "mysql.database.azure.com"
MYSQL_PORT = 3306
TIMEOUT_SECONDS = 30
STATUS_BY_CODE = {1045: 401, 1044: 403, 1142: 403, 1227: 403, 1049: 404, 1146: 404}


def quote_string(value: str) -> str:
    """A MySQL string literal: backslashes and quotes escaped (the default sql_mode's rules)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''").replace("\0", "\\0") + "'"


def quote_name(value: str) -> str:
    """A MySQL quoted identifier: backticks doubled."""
    return "`" + value.replace("`", "``") + "`"


@dataclass(frozen=True)
class MySqlLogin:
    """Where and as whom to sign in: the server's FQDN, the dial address, the user and its token."""

    fqdn: str
    address: TdsAddress
    user: str
    token: str


def connect(login: MySqlLogin, database: str | None, timeout: float = TIMEOUT_SECONDS) -> Any:
    """A PyMySQL connection (autocommit) over TLS, verified against the CA for the server's FQDN."""
    context = ssl.create_default_context(cafile=login.address.cafile)
    connection = pymysql.connect(
        host=login.fqdn,
        port=login.address.port,
        user=login.user,
        password=login.token,
        database=database,
        ssl=context,
        autocommit=True,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        defer_connect=True,
    )
    sock = socket.create_connection((login.address.host, login.address.port), timeout)
    # PyMySQL sets this only on sockets it opens itself; without it each small packet waits for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection.connect(sock)
    return connection


def run(login: MySqlLogin, database: str | None, statement: str) -> SqlResult:
    """Sign in, run one statement, sign out."""
    try:
        connection = connect(login, database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                if cursor.description is None:
                    return SqlResult([], [])
                columns = [str(column[0]) for column in cursor.description]
                return SqlResult(columns, [list(row) for row in cursor.fetchall()])
        finally:
            connection.close()
    except pymysql.err.MySQLError as failure:
        raise mysql_error(failure, login.fqdn) from None
    except OSError as failure:
        raise cloud_error(None, "ConnectionFailed", f"MySQL connection to {login.fqdn} failed: {failure}") from None


def mysql_error(failure: Exception, fqdn: str) -> CloudError:
    """MySQL's error number as the code, its message as the text."""
    code = failure.args[0] if failure.args and isinstance(failure.args[0], int) else None
    message = str(failure.args[1]) if len(failure.args) > 1 else str(failure)
    if code is None or code >= 2000:  # client errors: the connection itself failed
        return cloud_error(None, "ConnectionFailed", f"MySQL connection to {fqdn} failed: {message}")
    return cloud_error(STATUS_BY_CODE.get(code, 400), str(code), message)


class MySqlConnector:
    """Runs one statement at a time on a MySQL flexible server, as the target's credential."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._local: TdsAddress | None = None

    def query(self, server: str, database: str | None, user: str, statement: str) -> SqlResult:
        token = self._target.credential.get_token(self._target.profile.ossrdbms_scope).token
        return run(self.login(server, user, token), database, statement)

    def login(self, server: str, user: str, token: str) -> MySqlLogin:
        fqdn = server if "." in server else f"{server}.{MYSQL_SUFFIX}"
        return MySqlLogin(fqdn, self.address(fqdn), user, token)

    def address(self, fqdn: str) -> TdsAddress:
        if not self._target.profile.local:
            return TdsAddress(fqdn, MYSQL_PORT, certifi.where())
        with self._lock:
            if self._local is None:
                self._local = TdsAddress(*local_listener(self._target, "mysql"))
            return self._local
