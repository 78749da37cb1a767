"""Azure SQL for emulator tests: the azure-mgmt-sql client, server and database bodies, and a database
reached over TDS with the real python-tds client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytds
import pytest
from azure.mgmt.sql import SqlManagementClient

from provisioner.azure.sql_tds import TdsAddress, connect
from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients

LOCATION = "westus"
SQL_SCOPE = "https://database.windows.net/.default"
SQL_RESOURCE = "https://database.windows.net/"
ADMIN_PASSWORD = "Str0ng-Local-Pw!"
AZURE_SERVICES = "AllowAllWindowsAzureIps"


def sql(server: LocalCloudServer, credential: Any) -> SqlManagementClient:
    return SqlManagementClient(credential, server.cloud.identity.subscription_id, **clients.mgmt_options(server))


def server_body(admin: dict[str, Any] | None = None, *, login: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if login:
        properties |= {"administratorLogin": "sqladmin", "administratorLoginPassword": ADMIN_PASSWORD}
    if admin is not None:
        properties["administrators"] = admin
    return {"location": LOCATION, "properties": properties}


def entra_admin(login: str, sid: str, *, aad_only: bool = False, principal_type: str = "Application") -> dict[str, Any]:
    return {
        "administratorType": "ActiveDirectory",
        "principalType": principal_type,
        "login": login,
        "sid": sid,
        "azureADOnlyAuthentication": aad_only,
    }


def sql_server(
    server: LocalCloudServer,
    credential: Any,
    group: str,
    name: str,
    admin: dict[str, Any] | None = None,
    *,
    azure_services: bool = False,
) -> Any:
    """A server; with `azure_services`, the AllowAllWindowsAzureIps rule too (without a rule nobody logs in)."""
    client = sql(server, credential)
    created = client.servers.begin_create_or_update(group, name, server_body(admin)).result()
    if azure_services:
        client.firewall_rules.create_or_update(group, name, AZURE_SERVICES, firewall_rule("0.0.0.0", "0.0.0.0"))
    return created


def firewall_rule(start: str, end: str) -> dict[str, Any]:
    return {"properties": {"startIpAddress": start, "endIpAddress": end}}


def database(server: LocalCloudServer, credential: Any, group: str, sql_server_name: str, name: str) -> Any:
    poller = sql(server, credential).databases.begin_create_or_update(
        group, sql_server_name, name, {"location": LOCATION}
    )
    return poller.result()


@dataclass(frozen=True)
class SqlError:
    """A refused login or statement, as SQL Server reported it over TDS."""

    number: int
    level: int
    state: int
    message: str  # the last message
    messages: str  # all of them, as the client joins them


class SqlDatabase:
    """One database over TDS, through the real python-tds client: each call logs in with a token."""

    def __init__(self, server: LocalCloudServer, server_name: str, database: str, wait: float = 10) -> None:
        address = server.cloud.tds_address
        assert address is not None
        self.address = TdsAddress(address[0], address[1], str(server.ca_cert))
        self.server_name = server_name
        self.database = database
        self.wait = wait  # python-tds sleeps out its login timeout on errors it thinks transient (40532, 40615)

    def login(self, token: str) -> Any:
        return connect(self.address, f"{self.server_name}.database.windows.net", self.database, token, self.wait)

    def run(self, token: str, statement: str) -> dict[str, Any]:
        with self.login(token) as connection, connection.cursor() as cursor:
            cursor.execute(statement)
            if cursor.description is None:
                return {"columns": [], "rows": []}
            columns = [str(column[0]) for column in cursor.description]
            return {"columns": columns, "rows": [list(row) for row in cursor.fetchall()]}

    def ok(self, token: str, statement: str) -> dict[str, Any]:
        return self.run(token, statement)

    def error(self, token: str, statement: str) -> SqlError:
        """The error SQL Server answered, at login or to the statement."""
        with pytest.raises((pytds.Error, TimeoutError)) as refused:
            self.run(token, statement)
        error = refused.value.__cause__ if isinstance(refused.value, TimeoutError) else refused.value
        assert isinstance(error, pytds.Error), refused.value
        return SqlError(error.msg_no, error.severity, error.state, error.text, str(error.args[0]))  # type: ignore[attr-defined]

    def connect(self, token: str) -> dict[str, Any]:
        """May this token log in, and what is it there: its user name, whether it may read, its fixed roles."""
        try:
            result = self.run(token, f"SELECT USER_NAME(), {MAY_READ}, {ROLE_CHECKS}")
        except pytds.Error as refused:
            return {"can_connect": False, "can_read": False, "error_number": refused.msg_no}  # type: ignore[attr-defined]
        user, may_read, *in_roles = result["rows"][0]
        return {
            "can_connect": True,
            "can_read": may_read == 1,
            "user_name": user,
            "roles": [role for role, member in zip(FIXED_ROLES, in_roles, strict=True) if member == 1],
        }


MAY_READ = "HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'SELECT')"
FIXED_ROLES = ("db_owner", "db_datareader", "db_denydatareader")
ROLE_CHECKS = ", ".join(f"IS_ROLEMEMBER('{role}')" for role in FIXED_ROLES)


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A result set's rows as {column: value}."""
    return [dict(zip(result["columns"], row, strict=True)) for row in result["rows"]]
