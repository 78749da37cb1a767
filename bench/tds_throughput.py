"""The local cloud's TDS endpoint through python-tds: logins per second (PRELOGIN, TLS, LOGIN7 with a
FEDAUTH token, logout) and statement round trips per second on one connection (a catalog SELECT).

The cloud serves from a thread of this process, so client and server share one interpreter; the
figures are a floor for a cloud in its own process. Targets: >= 100 logins/s, >= 1000 round trips/s.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.sql import SqlManagementClient

from bench.report import figure
from provisioner.azure.sql_tds import TdsAddress, connect
from provisioner.azure.target import local_target
from provisioner.cli.targets import server_connection
from provisioner.emulator.server import LocalCloudServer

DURATION_SECONDS = 3.0
STATEMENT = "SELECT name FROM sys.database_principals WHERE type = 'R'"
FQDN = "bench-sql.database.windows.net"


def _prepare(server: LocalCloudServer) -> tuple[TdsAddress, str]:
    identity = server.cloud.identity
    ca = str(server.ca_cert)
    credential = local_target(server_connection(server)).credential
    options = {"base_url": server.url, "connection_verify": ca}
    resources = ResourceManagementClient(credential, identity.subscription_id, **options)
    resources.resource_groups.create_or_update("bench", {"location": "westus"})
    sql = SqlManagementClient(credential, identity.subscription_id, **options)
    admin = {"administratorType": "ActiveDirectory", "principalType": "Application", "login": "ops"}
    admin |= {"sid": identity.operator_object_id, "azureADOnlyAuthentication": True}
    body = {"location": "westus", "properties": {"administrators": admin}}
    sql.servers.begin_create_or_update("bench", "bench-sql", body).result()
    azure_services = {"properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"}}  # admits the logins
    sql.firewall_rules.create_or_update("bench", "bench-sql", "AllowAllWindowsAzureIps", azure_services)
    sql.databases.begin_create_or_update("bench", "bench-sql", "db", {"location": "westus"}).result()
    address = server.cloud.tds_address
    assert address is not None
    return TdsAddress(address[0], address[1], ca), credential.get_token("https://database.windows.net/.default").token


def _per_second(step: Callable[[], None]) -> float:
    done, start = 0, time.monotonic()
    while time.monotonic() - start < DURATION_SECONDS:
        step()
        done += 1
    return done / (time.monotonic() - start)


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir, LocalCloudServer(Path(data_dir)) as server:
        address, token = _prepare(server)

        def login() -> None:
            connect(address, FQDN, "db", token).close()

        print(figure("tds_logins_per_second", _per_second(login), ">=", 100, digits=1))
        with connect(address, FQDN, "db", token) as connection, connection.cursor() as cursor:

            def round_trip() -> None:
                cursor.execute(STATEMENT)
                cursor.fetchall()

            print(figure("tds_round_trips_per_second", _per_second(round_trip), ">=", 1000, digits=1))


if __name__ == "__main__":
    main()
