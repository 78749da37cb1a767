from __future__ import annotations

from typing import Any

import certifi
import pytest
from azure.core.credentials import AccessToken

from provisioner.azure import sql_statements as tsql
from provisioner.azure.clients import Clients
from provisioner.azure.profiles import azure_profile
from provisioner.azure.sql_tds import SqlConnector, TdsAddress
from provisioner.azure.target import Target
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import CloudError, TransientCloudError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.arm import get_or_none
from provisioner.providers.base import Observed
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, full_lifecycle, read, replan_calls, update_calls

ADMIN = PROVIDERS["sql_entra_admin"]
SERVERS = PROVIDERS["sql_server"]
SQL_PASSWORD = {"administrator_password": builders.VM_PASSWORD}
AZURE_SERVICES = "AllowAllWindowsAzureIps"


def server(clients: Clients, unique: str) -> Observed:
    builders.group(clients, f"rg-{unique}")
    values = {"name": f"sql-{unique}", "resource_group": f"rg-{unique}", "administrator_login": "sqladmin"}
    return builders.make(clients, "sql_server", values, secrets=SQL_PASSWORD)


def user_id(clients: Clients, upn: str) -> str:
    found = read(clients, desired("entra_user", {"user_principal_name": upn}, existing=True))
    assert found is not None
    return str(found.azure_id)


def admin_values(server_id: str, clients: Clients, name: str) -> dict[str, object]:
    upn = f"{name}@provisionlocal.onmicrosoft.com"
    return {"server": server_id, "login": upn, "object_id": user_id(clients, upn), "principal_type": "User"}


def test_sql_server_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    values = {"name": f"sql-{unique}", "resource_group": f"rg-{unique}", "administrator_login": "sqladmin"}
    wanted = desired("sql_server", values, secrets=SQL_PASSWORD)
    updated = full_lifecycle(clients, wanted, changed(wanted, minimal_tls_version="1.3"))
    assert updated.attributes["minimal_tls_version"] == "1.3"
    assert updated.exports["fqdn"] == f"sql-{unique}.database.windows.net"


def azure_services_rule(clients: Clients, unique: str) -> Any:
    """The server's AllowAllWindowsAzureIps firewall rule, or None."""
    return get_or_none(lambda: clients.sql.firewall_rules.get(f"rg-{unique}", f"sql-{unique}", AZURE_SERVICES))


def test_allow_azure_services_is_the_firewall_rule(
    clients: Clients, unique: str, local_cloud: LocalCloudServer
) -> None:
    builders.group(clients, f"rg-{unique}")
    values = {"name": f"sql-{unique}", "resource_group": f"rg-{unique}", "administrator_login": "sqladmin"}
    wanted = desired("sql_server", values, secrets=SQL_PASSWORD)
    created = create_and_check(clients, wanted)
    rule = azure_services_rule(clients, unique)
    assert (rule.start_ip_address, rule.end_ip_address) == ("0.0.0.0", "0.0.0.0")
    assert created.attributes["allow_azure_services"] is True

    closed = changed(wanted, allow_azure_services=False)
    changes = SERVERS.diff(closed, created)
    assert [(change.path, change.before, change.after) for change in changes] == [("allow_azure_services", True, False)]
    updated, applied = update_calls(clients, local_cloud, created, closed)
    assert applied["DELETE delete_firewall_rule"] == 1
    assert "PATCH update_server" not in applied  # only the rule changed
    assert azure_services_rule(clients, unique) is None
    assert updated.attributes["allow_azure_services"] is False
    assert replan_calls(clients, local_cloud, closed) == (2, 0, 0)  # reads: the server and its rule


def test_a_server_created_without_azure_services_has_no_rule(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    values = {
        "name": f"sql-{unique}",
        "resource_group": f"rg-{unique}",
        "administrator_login": "sqladmin",
        "allow_azure_services": False,
    }
    created = create_and_check(clients, desired("sql_server", values, secrets=SQL_PASSWORD))
    assert created.attributes["allow_azure_services"] is False
    assert azure_services_rule(clients, unique) is None


def test_sql_database_lifecycle(clients: Clients, unique: str) -> None:
    parent = server(clients, unique)
    wanted = desired("sql_database", {"name": "app", "server": parent.exports["id"]})
    updated = full_lifecycle(clients, wanted, changed(wanted, sku="S0"))
    assert updated.attributes["sku"] == "S0"


def test_sql_entra_admin_lifecycle(clients: Clients, unique: str) -> None:
    parent = server(clients, unique)
    wanted = desired("sql_entra_admin", admin_values(parent.exports["id"], clients, "alice"))
    bob = {**admin_values(parent.exports["id"], clients, "bob"), "entra_only_authentication": True}
    updated = full_lifecycle(clients, wanted, changed(wanted, **bob))
    assert updated.attributes["login"] == "bob@provisionlocal.onmicrosoft.com"
    assert updated.attributes["entra_only_authentication"] is True
    assert updated.attributes["principal_type"] == "User"


def test_restore_puts_the_previous_admin_back(clients: Clients, unique: str) -> None:
    parent = server(clients, unique)
    alice = admin_values(parent.exports["id"], clients, "alice")
    before = ADMIN.create(RunContext(clients), desired("sql_entra_admin", alice))
    wanted = desired("sql_entra_admin", admin_values(parent.exports["id"], clients, "bob"))
    changes = ADMIN.diff(wanted, before)
    prior = ADMIN.prior_values(before, changes)
    replaced = ADMIN.update(RunContext(clients), wanted, before, changes)
    assert replaced.attributes["login"].startswith("bob@")
    ADMIN.restore(RunContext(clients), replaced, prior)
    restored = read(clients, wanted)
    assert restored is not None
    assert restored.attributes == before.attributes


def test_restore_without_a_previous_admin_deletes(clients: Clients, unique: str) -> None:
    parent = server(clients, unique)
    wanted = desired("sql_entra_admin", admin_values(parent.exports["id"], clients, "alice"))
    created = ADMIN.create(RunContext(clients), wanted)
    ADMIN.restore(RunContext(clients), created, {})
    assert read(clients, wanted) is None


def test_sql_database_user_lifecycle(clients: Clients, unique: str, local_cloud: LocalCloudServer) -> None:
    parent = server(clients, unique)
    operator = local_cloud.cloud.identity
    admin = {
        "server": parent.exports["id"],
        "login": operator.operator_display_name,
        "object_id": operator.operator_object_id,
        "principal_type": "Application",
    }
    builders.make(clients, "sql_entra_admin", admin)  # T-SQL runs as the operator: it must be the admin
    database = builders.make(clients, "sql_database", {"name": "app", "server": parent.exports["id"]})
    uai = builders.make(clients, "user_assigned_identity", {"name": f"app-{unique}", "resource_group": f"rg-{unique}"})
    values = {"database": database.exports["id"], "name": uai.exports["name"], "roles": ["db_datareader"]}
    wanted = desired("sql_database_user", values)
    updated = full_lifecycle(clients, wanted, changed(wanted, roles=["db_datareader", "db_datawriter"]))
    assert updated.attributes["roles"] == ["db_datareader", "db_datawriter"]


def database_with_admin(clients: Clients, unique: str, local_cloud: LocalCloudServer) -> Observed:
    """A database on a new server whose Entra admin is the operator (T-SQL runs as the operator)."""
    parent = server(clients, unique)
    operator = local_cloud.cloud.identity
    admin = {"server": parent.exports["id"], "login": "op", "object_id": operator.operator_object_id}
    builders.make(clients, "sql_entra_admin", {**admin, "principal_type": "Application"})
    return builders.make(clients, "sql_database", {"name": "app", "server": parent.exports["id"]})


def batches(local_cloud: LocalCloudServer, since: int) -> list[str]:
    """The T-SQL the local cloud's TDS listener ran since `since`, other than catalog reads."""
    records = local_cloud.cloud.log.summary(since)["records"]
    return [record["statement"] for record in records if record["method"] == "TDS" and record["category"] != "reads"]


def test_the_statements_sent_are_the_shared_ones(clients: Clients, unique: str, local_cloud: LocalCloudServer) -> None:
    """Create, adopt, role change and delete send exactly the text `sql_statements` builds: the one
    builder both targets use (only the address differs, see the Azure test below)."""
    database = database_with_admin(clients, unique, local_cloud)
    group_name = f"odd ]readers[ {unique}"
    builders.make(clients, "entra_group", {"display_name": group_name})
    users = PROVIDERS["sql_database_user"]
    values = {"database": database.exports["id"], "name": group_name, "roles": ["db_datareader"]}
    start = local_cloud.cloud.log.summary(include_records=False)["last"]
    created = users.create(RunContext(clients), desired("sql_database_user", values))
    adopted = users.create(RunContext(clients), desired("sql_database_user", values))
    changed_roles = desired("sql_database_user", {**values, "roles": ["db_datawriter"]})
    users.update(RunContext(clients), changed_roles, adopted, users.diff(changed_roles, adopted))
    users.delete(RunContext(clients), created.azure_id, created.attributes)
    assert batches(local_cloud, start) == [
        tsql.create_user(group_name),
        tsql.add_member("db_datareader", group_name),
        tsql.create_user(group_name),  # 15023: adopted
        tsql.add_member("db_datawriter", group_name),
        tsql.drop_member("db_datareader", group_name),
        tsql.drop_user(group_name),
    ]
    assert tsql.create_user(group_name) == f"CREATE USER [odd ]]readers[ {unique}] FROM EXTERNAL PROVIDER"


def test_a_user_whose_sid_is_not_the_principals_is_replaced(
    clients: Clients, unique: str, local_cloud: LocalCloudServer
) -> None:
    database = database_with_admin(clients, unique, local_cloud)
    identity = {"name": f"app-{unique}", "resource_group": f"rg-{unique}"}
    first = builders.make(clients, "user_assigned_identity", identity)
    values = {"database": database.exports["id"], "name": identity["name"], "roles": ["db_datareader"]}
    wanted = desired("sql_database_user", values)
    users = PROVIDERS["sql_database_user"]
    created = users.create(RunContext(clients), wanted)
    assert created.attributes["sid"] == first.exports["client_id"].lower()  # a service principal's SID: its client id

    PROVIDERS["user_assigned_identity"].delete(RunContext(clients), first.azure_id, first.attributes)
    again = builders.make(clients, "user_assigned_identity", identity)  # same name, new principal
    stale = read(clients, wanted)
    assert stale is not None
    (change,) = users.diff(wanted, stale)
    assert (change.path, change.before, change.after, change.forces_replacement) == (
        "sid",
        first.exports["client_id"].lower(),
        again.exports["client_id"].lower(),
        True,
    )
    users.delete(RunContext(clients), stale.azure_id, stale.attributes)
    users.create(RunContext(clients), wanted)
    fresh = read(clients, wanted)
    assert fresh is not None and users.diff(wanted, fresh) == []


def test_a_name_longer_than_a_sysname_is_refused_as_sql_server_refuses_it() -> None:
    with pytest.raises(CloudError) as refused:
        tsql.create_user("x" * 129)
    assert refused.value.code == "103"


def test_creating_a_user_that_exists_adopts_it(clients: Clients, unique: str, local_cloud: LocalCloudServer) -> None:
    parent = server(clients, unique)
    operator = local_cloud.cloud.identity
    admin = {"server": parent.exports["id"], "login": "op", "object_id": operator.operator_object_id}
    builders.make(clients, "sql_entra_admin", {**admin, "principal_type": "Application"})
    database = builders.make(clients, "sql_database", {"name": "app", "server": parent.exports["id"]})
    uai = builders.make(clients, "user_assigned_identity", {"name": f"app-{unique}", "resource_group": f"rg-{unique}"})
    values = {"database": database.exports["id"], "name": uai.exports["name"], "roles": ["db_owner"]}
    users = PROVIDERS["sql_database_user"]
    users.create(RunContext(clients), desired("sql_database_user", {**values, "roles": []}))
    created = users.create(RunContext(clients), desired("sql_database_user", values))
    assert created.attributes["roles"] == ["db_owner"]
    assert read(clients, desired("sql_database_user", values)) == created


def test_a_principal_entra_does_not_know_yet_is_principal_not_found(
    clients: Clients, unique: str, local_cloud: LocalCloudServer
) -> None:
    parent = server(clients, unique)
    operator = local_cloud.cloud.identity
    admin = {"server": parent.exports["id"], "login": "op", "object_id": operator.operator_object_id}
    builders.make(clients, "sql_entra_admin", {**admin, "principal_type": "Application"})
    database = builders.make(clients, "sql_database", {"name": "app", "server": parent.exports["id"]})
    values = {"database": database.exports["id"], "name": f"not-yet-{unique}", "roles": ["db_datareader"]}
    with pytest.raises(TransientCloudError) as raised:
        PROVIDERS["sql_database_user"].create(RunContext(clients), desired("sql_database_user", values))
    assert raised.value.code == "PrincipalNotFound"


def test_on_azure_the_statements_go_to_the_servers_own_tds_host(target: Target) -> None:
    azure = Target(azure_profile(), target.credential, target.subscription_id, target.tenant_id)
    address = SqlConnector(azure).address("server")
    assert address == TdsAddress("server.database.windows.net", 1433, certifi.where())
    china = Target(azure_profile("AzureChinaCloud"), target.credential, target.subscription_id, target.tenant_id)
    assert SqlConnector(china).address("server").host == "server.database.chinacloudapi.cn"


class NoDirectoryRights:
    """An azure-core credential for the operator whose tokens carry no Graph application roles."""

    def __init__(self, local_cloud: LocalCloudServer) -> None:
        self.cloud = local_cloud.cloud

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        identity = self.cloud.identity
        issued = self.cloud.tokens.issue(
            audience=scopes[0].removesuffix(".default"),
            object_id=identity.operator_object_id,
            app_id=identity.operator_client_id,
        )
        return AccessToken(issued.token, issued.expires_on)


def test_without_directory_rights_the_sid_is_not_checked(
    clients: Clients, target: Target, unique: str, local_cloud: LocalCloudServer
) -> None:
    """SQL needs no Graph right: an operator Graph refuses (403) still reads its users, without the SID check."""
    database = database_with_admin(clients, unique, local_cloud)
    uai = builders.make(clients, "user_assigned_identity", {"name": f"app-{unique}", "resource_group": f"rg-{unique}"})
    values = {"database": database.exports["id"], "name": uai.exports["name"], "roles": ["db_datareader"]}
    PROVIDERS["sql_database_user"].create(RunContext(clients), desired("sql_database_user", values))
    credential = NoDirectoryRights(local_cloud)
    blind = Target(target.profile, credential, target.subscription_id, target.tenant_id, target.ca_bundle)
    with Clients(blind) as limited:
        found = read(limited, desired("sql_database_user", values))
    assert found is not None
    # the principal exists (its SID would be found with the right): None means Graph refused the lookup
    assert (found.attributes["sid"], found.attributes["principal_sid"]) == (uai.exports["client_id"].lower(), None)
