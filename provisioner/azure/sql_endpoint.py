"""T-SQL for contained database users: the one cloud call that is not an Azure SDK call.

On the local cloud, each database has an HTTPS endpoint (`POST {url}/_sql/{server}/{database}/query`
with `{"statement": ...}`, answering `{"columns", "rows"}` or SQL Server's error number) that takes an
Entra token for Azure SQL, as a TDS connection would. On Azure that needs T-SQL over TDS (an ODBC
driver), which provision does not ship yet: `--target azure` refuses sql_database_user with a
ConfigurationError that says how to create the user by hand.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from typing import Any

import httpx

from provisioner.azure.errors import cloud_error
from provisioner.azure.target import Target
from provisioner.errors import ConfigurationError

TIMEOUT_SECONDS = 60.0


def quote_name(name: str) -> str:
    """A T-SQL delimited identifier: `[name]`, with `]` doubled."""
    return "[" + name.replace("]", "]]") + "]"


@dataclass(frozen=True)
class SqlResult:
    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class SqlEndpoint:
    """Runs one T-SQL statement at a time in a database, as the target's credential."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None

    def query(self, server: str, database: str, statement: str) -> SqlResult:
        if not self._target.profile.local:
            raise ConfigurationError(
                "sql_database_user needs T-SQL over TDS, which provision does not support on --target azure yet; "
                f"as the server's Entra admin, run in database '{database}' on '{server}': "
                "CREATE USER [<name>] FROM EXTERNAL PROVIDER; ALTER ROLE <role> ADD MEMBER [<name>];"
            )
        token = self._target.credential.get_token(self._target.profile.sql_scope).token
        url = f"{self._target.profile.arm_endpoint}/_sql/{server}/{database}/query"
        response = self._client().post(url, json={"statement": statement}, headers={"Authorization": f"Bearer {token}"})
        body = response.json()
        if response.is_error:
            error = body.get("error") or {}
            raise cloud_error(response.status_code, str(error.get("code")), str(error.get("message")))
        return SqlResult(list(body["columns"]), [list(row) for row in body["rows"]])

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                ca = self._target.ca_bundle
                verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca)) if ca else True
                self._http = httpx.Client(verify=verify, timeout=TIMEOUT_SECONDS)
            return self._http
