"""Microsoft.Sql through azure-mgmt-sql: servers, databases, the Entra admin and Entra-only authentication."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest

from provisioner.emulator.server import LocalCloudServer
from provisioner.emulator.sql.principals import DatabaseState
from tests.emulator import clients
from tests.emulator.helpers_sql import (
    ADMIN_PASSWORD,
    LOCATION,
    entra_admin,
    server_body,
    sql,
    sql_server,
)
from tests.emulator.helpers_web import app_token, plan, site

GROUP = "sql-mgmt-rg"
OTHER_GROUP = "sql-mgmt-other-rg"
API = "2025-01-01"


@pytest.fixture(scope="module")
def groups(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    groups = clients.resources(local_cloud, operator_credential).resource_groups
    groups.create_or_update(GROUP, {"location": LOCATION})
    groups.create_or_update(OTHER_GROUP, {"location": LOCATION})


def test_server_put_is_asynchronous_like_the_recording(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    client = sql(local_cloud, operator_credential)
    subscription = local_cloud.cloud.identity.subscription_id
    url = f"/subscriptions/{subscription}/resourceGroups/{GROUP}/providers/Microsoft.Sql/servers/async-srv"
    answer = client.send_request(HttpRequest("PUT", url, params={"api-version": API}, json=server_body()))

    assert answer.status_code == 202
    assert answer.json()["operation"] == "UpsertLogicalServer"
    assert "startTime" in answer.json()
    regional = f"/resourceGroups/{GROUP}/providers/Microsoft.Sql/locations/{LOCATION}/"
    assert regional + "serverAzureAsyncOperation/" in answer.headers["Azure-AsyncOperation"]
    assert regional + "serverOperationResults/" in answer.headers["Location"]
    status = client.send_request(HttpRequest("GET", answer.headers["Azure-AsyncOperation"]))
    assert status.json()["status"] == "Succeeded"


def test_server_lifecycle_never_returns_or_stores_the_password(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    client = sql(local_cloud, operator_credential)
    created = sql_server(local_cloud, operator_credential, GROUP, "life-srv")

    assert created.fully_qualified_domain_name == "life-srv.database.windows.net"
    assert (created.state, created.version, created.kind) == ("Ready", "12.0", "v12.0")
    assert created.administrator_login == "sqladmin"
    assert created.administrator_login_password is None
    stored = local_cloud.cloud.store.get_resource(created.id)
    assert stored is not None
    assert ADMIN_PASSWORD not in json.dumps(stored.body)

    updated = client.servers.begin_update(GROUP, "life-srv", {"tags": {"env": "test"}}).result()
    assert updated.tags == {"env": "test"}
    assert "life-srv" in [item.name for item in client.servers.list_by_resource_group(GROUP)]
    assert "life-srv" in [item.name for item in client.servers.list()]

    client.servers.begin_delete(GROUP, "life-srv").result()
    with pytest.raises(ResourceNotFoundError):
        client.servers.get(GROUP, "life-srv")


@pytest.mark.parametrize("name", ["Upper-Case", "-leading", "trailing-", "under_score", "x" * 64])
def test_server_names_follow_the_dns_rule(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None, name: str
) -> None:
    with pytest.raises(HttpResponseError) as raised:
        sql(local_cloud, operator_credential).servers.begin_create_or_update(GROUP, name, server_body())
    status, code, message = clients.azure_error(raised)
    assert (status, code) == (400, "InvalidServerName")
    assert "lowercase letters" in message


def test_server_names_are_global(local_cloud: LocalCloudServer, operator_credential: Any, groups: None) -> None:
    sql_server(local_cloud, operator_credential, GROUP, "taken-srv")
    with pytest.raises(HttpResponseError) as raised:
        sql(local_cloud, operator_credential).servers.begin_create_or_update(OTHER_GROUP, "taken-srv", server_body())
    status, code, message = clients.azure_error(raised)
    assert (status, code) == (409, "NameAlreadyExists")
    assert "taken-srv.database.windows.net" in message


def test_sql_login_is_required_and_its_password_checked(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    servers = sql(local_cloud, operator_credential).servers
    with pytest.raises(HttpResponseError) as raised:
        servers.begin_create_or_update(GROUP, "nologin-srv", server_body(login=False))
    assert clients.azure_error(raised)[:2] == (400, "InvalidParameterValue")

    weak = {
        "location": LOCATION,
        "properties": {"administratorLogin": "a", "administratorLoginPassword": "alllowercase"},
    }
    with pytest.raises(HttpResponseError) as raised:
        servers.begin_create_or_update(GROUP, "weak-srv", weak)
    assert clients.azure_error(raised)[:2] == (400, "PasswordNotComplex")


def test_every_server_has_a_master_database_and_user_databases_come_and_go(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    client = sql(local_cloud, operator_credential)
    sql_server(local_cloud, operator_credential, GROUP, "db-srv")
    master = client.databases.get(GROUP, "db-srv", "master")
    assert (master.kind, master.sku.name) == ("v12.0,system", "System")

    created = client.databases.begin_create_or_update(GROUP, "db-srv", "appdb", {"location": LOCATION}).result()
    assert (created.status, created.sku.name, created.kind) == ("Online", "GP_Gen5", "v12.0,user,vcore")
    assert created.collation == "SQL_Latin1_General_CP1_CI_AS"
    assert sorted(item.name for item in client.databases.list_by_server(GROUP, "db-srv")) == ["appdb", "master"]

    with pytest.raises(HttpResponseError) as raised:
        client.databases.begin_delete(GROUP, "db-srv", "master")
    assert clients.azure_error(raised)[0] == 400
    client.databases.begin_delete(GROUP, "db-srv", "appdb").result()
    with pytest.raises(ResourceNotFoundError):
        client.databases.get(GROUP, "db-srv", "appdb")


def test_database_needs_its_server(local_cloud: LocalCloudServer, operator_credential: Any, groups: None) -> None:
    databases = sql(local_cloud, operator_credential).databases
    with pytest.raises(HttpResponseError) as raised:
        databases.begin_create_or_update(GROUP, "no-such-srv", "appdb", {"location": LOCATION})
    assert clients.azure_error(raised)[:2] == (404, "ParentResourceNotFound")


def test_entra_admin_is_an_asynchronous_child_resource(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    client = sql(local_cloud, operator_credential)
    sql_server(local_cloud, operator_credential, GROUP, "admin-srv")
    with pytest.raises(ResourceNotFoundError):
        client.server_azure_ad_administrators.get(GROUP, "admin-srv", "ActiveDirectory")
    assert list(client.server_azure_ad_administrators.list_by_server(GROUP, "admin-srv")) == []

    identity = local_cloud.cloud.identity
    body = {"properties": {"administratorType": "ActiveDirectory", "login": "ops", "sid": identity.operator_object_id}}
    admin = client.server_azure_ad_administrators.begin_create_or_update(
        GROUP, "admin-srv", "ActiveDirectory", body
    ).result()
    assert (admin.name, admin.login, admin.sid) == ("ActiveDirectory", "ops", identity.operator_object_id)
    assert admin.tenant_id == identity.tenant_id
    assert admin.azure_ad_only_authentication is False
    assert [item.login for item in client.server_azure_ad_administrators.list_by_server(GROUP, "admin-srv")] == ["ops"]

    plain = client.servers.get(GROUP, "admin-srv")
    assert plain.administrators is None
    expanded = client.servers.get(GROUP, "admin-srv", expand="administrators/activedirectory")
    assert expanded.administrators.principal_type == "Application"
    assert expanded.administrators.login == "ops"

    client.server_azure_ad_administrators.begin_delete(GROUP, "admin-srv", "ActiveDirectory").result()
    with pytest.raises(ResourceNotFoundError):
        client.server_azure_ad_administrators.get(GROUP, "admin-srv", "ActiveDirectory")


def test_entra_admin_sid_must_name_a_directory_object(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    client = sql(local_cloud, operator_credential)
    sql_server(local_cloud, operator_credential, GROUP, "badsid-srv")
    body = {
        "properties": {
            "administratorType": "ActiveDirectory",
            "login": "x",
            "sid": "00000000-0000-0000-0000-00000000abcd",
        }
    }
    with pytest.raises(HttpResponseError) as raised:
        client.server_azure_ad_administrators.begin_create_or_update(GROUP, "badsid-srv", "ActiveDirectory", body)
    assert clients.azure_error(raised)[:2] == (400, "PrincipalNotFound")


def test_entra_only_authentication_needs_an_admin_and_locks_the_sql_password(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    client = sql(local_cloud, operator_credential)
    sql_server(local_cloud, operator_credential, GROUP, "aadonly-srv")
    switch = client.server_azure_ad_only_authentications
    assert switch.get(GROUP, "aadonly-srv", "Default").azure_ad_only_authentication is False
    on = {"properties": {"azureADOnlyAuthentication": True}}
    with pytest.raises(HttpResponseError) as raised:
        switch.begin_create_or_update(GROUP, "aadonly-srv", "Default", on)
    assert clients.azure_error(raised)[:2] == (400, "InvalidServerAADOnlyAuthNoAADAdminPropertyName")

    identity = local_cloud.cloud.identity
    admin = {"properties": {"administratorType": "ActiveDirectory", "login": "ops", "sid": identity.operator_client_id}}
    client.server_azure_ad_administrators.begin_create_or_update(
        GROUP, "aadonly-srv", "ActiveDirectory", admin
    ).result()
    assert switch.begin_create_or_update(GROUP, "aadonly-srv", "Default", on).result().azure_ad_only_authentication
    assert [item.azure_ad_only_authentication for item in switch.list_by_server(GROUP, "aadonly-srv")] == [True]

    with pytest.raises(HttpResponseError) as raised:
        client.servers.begin_update(GROUP, "aadonly-srv", {"properties": {"administratorLoginPassword": "N3w-Pass!"}})
    assert clients.azure_error(raised)[:2] == (400, "AadOnlyAuthenticationIsEnabled")


def test_server_created_entra_only_gets_a_generated_sql_login(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    identity = local_cloud.cloud.identity
    admin = entra_admin("ops", identity.operator_object_id, aad_only=True)
    body = {"location": LOCATION, "properties": {"administrators": admin}}
    created = sql(local_cloud, operator_credential).servers.begin_create_or_update(GROUP, "cloudsa-srv", body).result()
    assert created.administrator_login.startswith("CloudSA")
    switch = sql(local_cloud, operator_credential).server_azure_ad_only_authentications
    assert switch.get(GROUP, "cloudsa-srv", "Default").azure_ad_only_authentication is True


def test_deleting_a_server_cascades_to_databases_admin_and_contained_users(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    identity = local_cloud.cloud.identity
    server = sql_server(
        local_cloud, operator_credential, GROUP, "cascade-srv", entra_admin("ops", identity.operator_object_id)
    )
    client = sql(local_cloud, operator_credential)
    database = client.databases.begin_create_or_update(GROUP, "cascade-srv", "appdb", {"location": LOCATION}).result()
    alice = local_cloud.cloud.store.find_directory_objects(display_name="Alice Admin")[0]
    DatabaseState(local_cloud.cloud.store, database.id).add_user("alice@provisionlocal.onmicrosoft.com", alice)

    client.servers.begin_delete(GROUP, "cascade-srv").result()
    store = local_cloud.cloud.store
    assert store.list_resources(under=server.id) == []
    assert DatabaseState(store, database.id).users() == []


def test_sql_operations_are_authorized(local_cloud: LocalCloudServer, operator_credential: Any, groups: None) -> None:
    app_plan = plan(local_cloud, operator_credential, GROUP, "sql-authz-plan")
    app = site(local_cloud, operator_credential, GROUP, "sql-authz-app", app_plan.id, {"type": "SystemAssigned"})
    token = app_token(local_cloud, app.id, "https://management.azure.com/")
    with pytest.raises(HttpResponseError) as raised:
        sql(local_cloud, clients.StaticToken(token)).servers.get(GROUP, "db-srv")
    status, code, message = clients.azure_error(raised)
    assert (status, code) == (403, "AuthorizationFailed")
    assert "Microsoft.Sql/servers/read" in message
