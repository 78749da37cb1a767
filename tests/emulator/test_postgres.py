"""Azure Database for PostgreSQL on the local cloud through azure-mgmt-postgresqlflexibleservers and psycopg:
ARM as Azure answers it (asynchronous writes, its refusals), a real cluster per server behind the local
cloud's listener (Entra token sign-in, pgaadauth principals), and the cluster gone with its server."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.postgresqlflexibleservers import PostgreSQLManagementClient, models

from provisioner.azure.postgres_sql import PgAddress, connect
from provisioner.emulator.postgres.clusters import clusters_for
from provisioner.emulator.server import LocalCloudServer
from tests.e2e.checks import alive
from tests.emulator import clients
from tests.emulator.helpers_web import app_token, plan, site

GROUP = "pg-rg"
SERVER = "pg-srv"
LOCATION = "westus"
OSSRDBMS = "https://ossrdbms-aad.database.windows.net"
OPERATOR = "provision-operator"


def postgres(server: LocalCloudServer, credential: Any) -> PostgreSQLManagementClient:
    options = clients.mgmt_options(server)
    return PostgreSQLManagementClient(credential, server.cloud.identity.subscription_id, **options)


def server_body(password_auth: bool = False) -> models.Server:
    return models.Server(
        location=LOCATION,
        sku=models.Sku(name="Standard_B1ms", tier="Burstable"),
        properties=models.ServerProperties(
            version="16",
            administrator_login="pgadmin" if password_auth else None,
            administrator_login_password="Secret-pass-1" if password_auth else None,
            storage=models.Storage(storage_size_gb=32),
            auth_config=models.AuthConfig(
                active_directory_auth="Enabled", password_auth="Enabled" if password_auth else "Disabled"
            ),
        ),
    )


def admin_body(name: str, kind: str = "ServicePrincipal") -> models.AdministratorMicrosoftEntraAdd:
    return models.AdministratorMicrosoftEntraAdd(
        properties=models.AdministratorMicrosoftEntraPropertiesForAdd(principal_type=kind, principal_name=name)
    )


@pytest.fixture(scope="module")
def world(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(GROUP, {"location": LOCATION})
    client = postgres(local_cloud, operator_credential)
    client.servers.begin_create_or_update(GROUP, SERVER, server_body(password_auth=True)).result()
    operator = local_cloud.cloud.identity.operator_object_id
    client.administrators_microsoft_entra.begin_create_or_update(GROUP, SERVER, operator, admin_body(OPERATOR)).result()
    client.databases.begin_create(
        GROUP, SERVER, "appdb", models.Database(properties=models.DatabaseProperties())
    ).result()
    app_plan = plan(local_cloud, operator_credential, GROUP, "pg-plan")
    app = site(local_cloud, operator_credential, GROUP, "pg-app", app_plan.id, {"type": "SystemAssigned"})
    return {"client": client, "app": app, "operator": operator_credential.get_token(f"{OSSRDBMS}/.default").token}


def address(local_cloud: LocalCloudServer, server: str = SERVER) -> PgAddress:
    listener = local_cloud.cloud.postgres_address
    assert listener is not None
    return PgAddress(f"{server}.postgres.database.azure.com", listener[0], listener[1], str(local_cloud.ca_cert))


def rows(connection: Any, statement: str, *values: Any) -> list[tuple[Any, ...]]:
    return list(connection.execute(statement, values or None).fetchall())


def test_the_entra_admin_creates_a_principal_and_the_app_signs_in_with_its_token(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    app = world["app"]
    with connect(address(local_cloud), "appdb", OPERATOR, world["operator"]) as admin:
        assert rows(admin, "SELECT current_user") == [(OPERATOR,)]
        admin.execute(
            "SELECT pgaadauth_create_principal_with_oid(%s, %s, 'service', false, false)",
            ("pg-app", app.identity.principal_id),
        )
        admin.execute('GRANT SELECT ON ALL TABLES IN SCHEMA public TO "pg-app"')
        listed = rows(admin, "SELECT rolname, principaltype, objectid FROM pgaadauth_list_principals(false)")
        assert ("pg-app", "service", app.identity.principal_id) in listed
    token = app_token(local_cloud, app.id, OSSRDBMS)
    with connect(address(local_cloud), "appdb", "pg-app", token) as user:
        assert rows(user, "SELECT current_user, note FROM checks") == [("pg-app", "provision verify reads this row")]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            user.execute("INSERT INTO checks VALUES (2, 'no')")


def test_the_admin_password_signs_in_when_password_auth_is_enabled(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    with connect(address(local_cloud), "postgres", "pgadmin", "Secret-pass-1") as admin:
        assert rows(admin, "SELECT current_user") == [("pgadmin",)]
    with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "pgadmin"'):
        connect(address(local_cloud), "postgres", "pgadmin", "wrong-password")


def test_a_token_for_another_role_or_audience_is_refused(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    arm_token = local_cloud.cloud.tokens.issue(
        audience="https://management.azure.com/", object_id=local_cloud.cloud.identity.operator_object_id, app_id="x"
    ).token
    for user, token in ((OPERATOR, arm_token), ("pg-app", world["operator"])):
        with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{user}"'):
            connect(address(local_cloud), "appdb", user, token)


def test_arm_refuses_what_azure_refuses(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    client = world["client"]
    with pytest.raises(HttpResponseError) as taken:
        client.servers.begin_create_or_update("pg-other-rg-missing", SERVER, server_body())
    assert taken.value.status_code == 404
    clients.resources(local_cloud, clients.operator_credential_for(local_cloud)).resource_groups.create_or_update(
        "pg-rg2", {"location": LOCATION}
    )
    with pytest.raises(HttpResponseError) as duplicate:
        client.servers.begin_create_or_update("pg-rg2", SERVER, server_body())
    assert (duplicate.value.status_code, duplicate.value.error.code) == (409, "ServerNameAlreadyExists")
    with pytest.raises(HttpResponseError) as missing:
        client.databases.get(GROUP, SERVER, "nope")
    assert missing.value.status_code == 404


def test_a_deleted_server_leaves_no_process_or_files(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    client = postgres(local_cloud, operator_credential)
    client.servers.begin_create_or_update(GROUP, "pg-gone", server_body()).result()
    clusters = clusters_for(local_cloud.data_dir)
    server_id = client.servers.get(GROUP, "pg-gone").id
    assert clusters.exists(server_id)
    pids = set(clusters.running())
    client.servers.begin_delete(GROUP, "pg-gone").result()
    assert not clusters.exists(server_id)
    gone = pids - set(clusters.running())
    assert len(gone) == 1 and not alive(gone.pop())
