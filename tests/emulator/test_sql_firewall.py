"""Microsoft.Sql server firewall rules through azure-mgmt-sql: create, read, list, delete, Azure's checks,
the rules going with their server, and authorization."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients
from tests.emulator.helpers_sql import LOCATION, sql, sql_server

GROUP = "sql-firewall-rg"
SERVER = "firewall-srv"
API = "2025-01-01"
AZURE_SERVICES = "AllowAllWindowsAzureIps"


def rule(start: str, end: str) -> dict[str, Any]:
    return {"properties": {"startIpAddress": start, "endIpAddress": end}}


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
