"""The local cloud's MySQL listener through PyMySQL: Entra logins per second (greeting, SSLRequest, TLS,
mysql_clear_password with a token for ossrdbms, the token validated, quit) and statement round trips per
second on one connection (a SELECT of the seeded table).

The cloud serves from a thread of this process, so client and server share one interpreter; the
figures are a floor for a cloud in its own process. Targets: >= 100 logins/s, >= 1000 round trips/s.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

from azure.mgmt.mysqlflexibleservers import models
from msgraph.generated.models.app_role_assignment import AppRoleAssignment

from bench.report import figure, per_second
from provisioner.azure.clients import Clients
from provisioner.azure.mysql_wire import MySqlConnector, MySqlLogin, connect
from provisioner.azure.target import local_target
from provisioner.cli.targets import server_connection
from provisioner.emulator.server import LocalCloudServer

DURATION_SECONDS = 3.0
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
PERMISSIONS = ("User.Read.All", "GroupMember.Read.All", "Application.Read.All")
ADMIN = "provision-operator"


def _grant_graph(clients: Clients, principal: str) -> None:
    async def grant(msgraph: Any) -> None:
        graph = await msgraph.service_principals_with_app_id(GRAPH_APP_ID).get()
        roles = {role.value: role.id for role in graph.app_roles}
        assignments = msgraph.service_principals.by_service_principal_id(principal).app_role_assignments
        for permission in PERMISSIONS:
            body = AppRoleAssignment(principal_id=UUID(principal), resource_id=UUID(str(graph.id)))
            body.app_role_id = roles[permission]
            await assignments.post(body)

    clients.run_msgraph(grant)


def _prepare(clients: Clients) -> MySqlLogin:
    clients.resources.resource_groups.create_or_update("bench", {"location": "westus"})
    uai = clients.msi.user_assigned_identities.create_or_update("bench", "bench-uai", {"location": "westus"})
    _grant_graph(clients, str(uai.principal_id))
    identity = models.MySQLServerIdentity(
        type="UserAssigned", user_assigned_identities={uai.id: models.UserAssignedIdentity()}
    )
    server = models.Server(
        location="westus",
        sku=models.MySQLServerSku(name="Standard_B1ms", tier="Burstable"),
        identity=identity,
        administrator_login="mysqladmin",
        administrator_login_password="Bench-only-Pa55!",
    )
    mysql = clients.mysql
    mysql.servers.begin_create("bench", "bench-mysql", server).result()
    mysql.databases.begin_create_or_update("bench", "bench-mysql", "db", models.Database()).result()
    admin = models.AzureADAdministrator(
        administrator_type="ActiveDirectory",
        login=ADMIN,
        sid=clients.principal_id,
        tenant_id=clients.tenant_id,
        identity_resource_id=uai.id,
    )
    mysql.azure_ad_administrators.begin_create_or_update("bench", "bench-mysql", "ActiveDirectory", admin).result()
    target = clients.target
    token = target.credential.get_token(target.profile.ossrdbms_scope).token
    return MySqlConnector(target).login("bench-mysql", ADMIN, token)


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir, LocalCloudServer(Path(data_dir)) as server:
        target = local_target(server_connection(server))
        with Clients(target) as clients:
            login = _prepare(clients)

            def sign_in() -> None:
                connect(login, "db").close()

            print(figure("mysql_entra_logins_per_second", per_second(sign_in, DURATION_SECONDS), ">=", 100, digits=1))
            connection = connect(login, "db")
            with connection.cursor() as cursor:

                def round_trip() -> None:
                    cursor.execute("SELECT COUNT(*) FROM sample")
                    cursor.fetchall()

                print(
                    figure(
                        "mysql_round_trips_per_second", per_second(round_trip, DURATION_SECONDS), ">=", 1000, digits=1
                    )
                )
            connection.close()
        target.close()


if __name__ == "__main__":
    main()
