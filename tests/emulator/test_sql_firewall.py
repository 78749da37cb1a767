"""Microsoft.Sql server firewall rules through azure-mgmt-sql: create, read, list, delete, Azure's checks,
the rules going with their server, authorization, and the firewall deciding a TDS login before anything else."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest

from provisioner.azure.sql_tds import run
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import CloudError
from tests.emulator import clients
from tests.emulator.helpers_sql import (
    AZURE_SERVICES,
    LOCATION,
    SQL_SCOPE,
    SqlDatabase,
    database,
    entra_admin,
    sql,
    sql_server,
)
from tests.emulator.helpers_sql import firewall_rule as rule

GROUP = "sql-firewall-rg"
SERVER = "firewall-srv"
API = "2025-01-01"


@pytest.fixture(scope="module")
def server_id(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(GROUP, {"location": LOCATION})
    return str(sql_server(local_cloud, operator_credential, GROUP, SERVER).id)


def test_allow_azure_services_rule_lifecycle(
    local_cloud: LocalCloudServer, operator_credential: Any, server_id: str
) -> None:
    rules = sql(local_cloud, operator_credential).firewall_rules
    created = rules.create_or_update(GROUP, SERVER, AZURE_SERVICES, rule("0.0.0.0", "0.0.0.0"))
    assert created.id == f"{server_id}/firewallRules/{AZURE_SERVICES}"
    assert (created.name, created.type) == (AZURE_SERVICES, "Microsoft.Sql/servers/firewallRules")
    assert (created.start_ip_address, created.end_ip_address) == ("0.0.0.0", "0.0.0.0")

    found = rules.get(GROUP, SERVER, AZURE_SERVICES)
    assert found.as_dict() == created.as_dict()
    assert AZURE_SERVICES in [item.name for item in rules.list_by_server(GROUP, SERVER)]

    rules.delete(GROUP, SERVER, AZURE_SERVICES)
    with pytest.raises(ResourceNotFoundError):
        rules.get(GROUP, SERVER, AZURE_SERVICES)
    rules.delete(GROUP, SERVER, AZURE_SERVICES)  # already gone: 204, no error


def test_put_answers_201_then_200_and_delete_200_then_204(
    local_cloud: LocalCloudServer, operator_credential: Any, server_id: str
) -> None:
    client = sql(local_cloud, operator_credential)
    url = f"{server_id}/firewallRules/office"
    statuses = [
        client.send_request(HttpRequest("PUT", url, params={"api-version": API}, json=body)).status_code
        for body in (rule("10.0.0.1", "10.0.0.9"), rule("10.0.0.1", "10.0.0.20"))
    ]
    assert statuses == [201, 200]
    assert client.firewall_rules.get(GROUP, SERVER, "office").end_ip_address == "10.0.0.20"
    deletes = [
        client.send_request(HttpRequest("DELETE", url, params={"api-version": API})).status_code for _ in range(2)
    ]
    assert deletes == [200, 204]


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("10.0.0.9", "10.0.0.1", "FirewallRuleInvalidRange"),
        ("10.0.0.256", "10.0.0.1", "FirewallRuleNotIPv4Address"),
        ("::1", "::1", "FirewallRuleNotIPv4Address"),
        ("10.0.0.1", "", "FirewallRuleNotIPv4Address"),
    ],
)
def test_invalid_ranges_are_refused(
    local_cloud: LocalCloudServer, operator_credential: Any, server_id: str, start: str, end: str, code: str
) -> None:
    rules = sql(local_cloud, operator_credential).firewall_rules
    with pytest.raises(HttpResponseError) as raised:
        rules.create_or_update(GROUP, SERVER, "bad", rule(start, end))
    assert clients.azure_error(raised)[:2] == (400, code)
    with pytest.raises(ResourceNotFoundError):
        rules.get(GROUP, SERVER, "bad")


def test_rule_names_longer_than_128_characters_are_refused(
    local_cloud: LocalCloudServer, operator_credential: Any, server_id: str
) -> None:
    with pytest.raises(HttpResponseError) as raised:
        sql(local_cloud, operator_credential).firewall_rules.create_or_update(
            GROUP, SERVER, "r" * 129, rule("10.0.0.1", "10.0.0.1")
        )
    assert clients.azure_error(raised)[:2] == (400, "FirewallRuleNameTooLong")


def test_no_rule_while_public_network_access_is_disabled(
    local_cloud: LocalCloudServer, operator_credential: Any, server_id: str
) -> None:
    client = sql(local_cloud, operator_credential)
    sql_server(local_cloud, operator_credential, GROUP, "private-srv")
    client.servers.begin_update(GROUP, "private-srv", {"properties": {"publicNetworkAccess": "Disabled"}}).result()
    with pytest.raises(HttpResponseError) as raised:
        client.firewall_rules.create_or_update(GROUP, "private-srv", AZURE_SERVICES, rule("0.0.0.0", "0.0.0.0"))
    assert clients.azure_error(raised)[:2] == (400, "DenyPublicEndpointEnabled")


def test_rules_go_with_their_server(local_cloud: LocalCloudServer, operator_credential: Any, server_id: str) -> None:
    client = sql(local_cloud, operator_credential)
    doomed = sql_server(local_cloud, operator_credential, GROUP, "doomed-srv")
    client.firewall_rules.create_or_update(GROUP, "doomed-srv", AZURE_SERVICES, rule("0.0.0.0", "0.0.0.0"))

    client.servers.begin_delete(GROUP, "doomed-srv").result()

    assert local_cloud.cloud.store.get_resource(f"{doomed.id}/firewallRules/{AZURE_SERVICES}") is None
    sql_server(local_cloud, operator_credential, GROUP, "doomed-srv")  # the same name again starts with no rule
    assert list(client.firewall_rules.list_by_server(GROUP, "doomed-srv")) == []


def test_a_rule_needs_its_server(local_cloud: LocalCloudServer, operator_credential: Any, server_id: str) -> None:
    with pytest.raises(HttpResponseError) as raised:
        sql(local_cloud, operator_credential).firewall_rules.create_or_update(
            GROUP, "no-such-srv", AZURE_SERVICES, rule("0.0.0.0", "0.0.0.0")
        )
    assert clients.azure_error(raised)[:2] == (404, "ParentResourceNotFound")


def test_firewall_rules_are_authorized(local_cloud: LocalCloudServer, server_id: str) -> None:
    rules = sql(local_cloud, clients.stranger(local_cloud, "22222222-2222-2222-2222-222222222222")).firewall_rules
    with pytest.raises(HttpResponseError) as raised:
        rules.create_or_update(GROUP, SERVER, AZURE_SERVICES, rule("0.0.0.0", "0.0.0.0"))
    status, code, message = clients.azure_error(raised)
    assert (status, code) == (403, "AuthorizationFailed")
    assert "Microsoft.Sql/servers/firewallRules/write" in message
    with pytest.raises(HttpResponseError) as listing:
        list(rules.list_by_server(GROUP, SERVER))
    assert "Microsoft.Sql/servers/firewallRules/read" in clients.azure_error(listing)[2]
    with pytest.raises(HttpResponseError) as deleting:
        rules.delete(GROUP, SERVER, AZURE_SERVICES)
    assert "Microsoft.Sql/servers/firewallRules/delete" in clients.azure_error(deleting)[2]


def test_the_firewall_decides_a_login_before_the_token(
    local_cloud: LocalCloudServer, operator_credential: Any, server_id: str
) -> None:
    """No rule admits 127.0.0.1: 40615 in Azure's words, even for the admin; a rule for the address, or
    AllowAllWindowsAzureIps (every local client counts as inside the local cloud), lets it in."""
    admin = entra_admin("ops", local_cloud.cloud.identity.operator_object_id)
    sql_server(local_cloud, operator_credential, GROUP, "walled-srv", admin)
    database(local_cloud, operator_credential, GROUP, "walled-srv", "appdb")
    token = operator_credential.get_token(SQL_SCOPE).token
    walled = SqlDatabase(local_cloud, "walled-srv", "appdb", wait=0.5)
    refused = walled.error(token, "SELECT 1")
    assert (refused.number, refused.level) == (40615, 14)
    assert refused.message.startswith(
        "Cannot open server 'walled-srv' requested by the login. Client with IP address '127.0.0.1' is not allowed "
        "to access the server.  To enable access, use the Windows Azure Management Portal or run "
        "sp_set_firewall_rule on the master database"
    )
    assert walled.error("not-a-token", "SELECT 1").number == 40615  # before the token is looked at

    with pytest.raises(CloudError) as failed:  # the tool's error names the rule that would fix it
        run(walled.address, "walled-srv", "appdb", token, "SELECT 1", login_timeout=0.5)
    assert (failed.value.code, failed.value.status) == ("40615", 403)
    assert "firewallRules/client-127-0-0-1 with startIpAddress = endIpAddress = 127.0.0.1" in str(failed.value)

    client = sql(local_cloud, operator_credential).firewall_rules
    client.create_or_update(GROUP, "walled-srv", "office", rule("10.0.0.1", "10.0.0.9"))
    assert walled.error(token, "SELECT 1").number == 40615
    client.create_or_update(GROUP, "walled-srv", "loopback", rule("127.0.0.1", "127.0.0.1"))
    assert walled.ok(token, "SELECT 1")["rows"] == [[1]]
    client.delete(GROUP, "walled-srv", "loopback")
    client.create_or_update(GROUP, "walled-srv", AZURE_SERVICES, rule("0.0.0.0", "0.0.0.0"))
    assert walled.ok(token, "SELECT 1")["rows"] == [[1]]
