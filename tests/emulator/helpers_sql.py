"""Azure SQL for emulator tests: the azure-mgmt-sql client, server and database bodies, and a small client
for a database's authorization endpoint (plain HTTPS: it is not an Azure API)."""

from __future__ import annotations

from typing import Any

import httpx
from azure.mgmt.sql import SqlManagementClient

from provisioner.emulator.server import LocalCloudServer
from tests.control import control_headers
from tests.emulator import clients
from tests.emulator.helpers_web import https

LOCATION = "westus"
SQL_SCOPE = "https://database.windows.net/.default"
SQL_RESOURCE = "https://database.windows.net/"
ADMIN_PASSWORD = "Str0ng-Local-Pw!"


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
    server: LocalCloudServer, credential: Any, group: str, name: str, admin: dict[str, Any] | None = None
) -> Any:
    return sql(server, credential).servers.begin_create_or_update(group, name, server_body(admin)).result()


def database(server: LocalCloudServer, credential: Any, group: str, sql_server_name: str, name: str) -> Any:
    poller = sql(server, credential).databases.begin_create_or_update(
        group, sql_server_name, name, {"location": LOCATION}
    )
    return poller.result()


class DatabaseEndpoint:
    """A database's T-SQL authorization endpoint, found through `GET /_cloud/sql-endpoint?id=...`."""

    def __init__(self, server: LocalCloudServer, database_id: str) -> None:
        self.server = server
        with https(server) as http:
            answer = http.get(
                f"{server.url}/_cloud/sql-endpoint", params={"id": database_id}, headers=control_headers(server)
            )
        answer.raise_for_status()
        self.info: dict[str, str] = answer.json()

    def run(self, token: str, statement: str) -> httpx.Response:
        with https(self.server) as http:
            return http.post(self.info["query_url"], json={"statement": statement}, headers=_bearer(token))

    def ok(self, token: str, statement: str) -> dict[str, Any]:
        answer = self.run(token, statement)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def error(self, token: str, statement: str) -> tuple[int, dict[str, Any]]:
        """(HTTP status, the error) of a refused statement."""
        answer = self.run(token, statement)
        assert answer.status_code != 200, answer.text
        error: dict[str, Any] = answer.json()["error"]
        return answer.status_code, error

    def connect(self, token: str) -> dict[str, Any]:
        with https(self.server) as http:
            answer = http.post(self.info["connect_url"], headers=_bearer(token))
        assert answer.status_code == 200, answer.text
        decision: dict[str, Any] = answer.json()
        return decision


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A result set's rows as {column: value}."""
    return [dict(zip(result["columns"], row, strict=True)) for row in result["rows"]]
