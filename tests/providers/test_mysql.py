"""MySQL flexible servers through azure-mgmt-mysqlflexibleservers against the local cloud: server, firewall
rules, database and the Entra admin, which Azure refuses until the server's identity can read Graph."""

from __future__ import annotations

import pytest

from provisioner.azure.clients import Clients
from provisioner.errors import CloudError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Observed
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, delete_and_check, full_lifecycle, read

PASSWORD = {"administrator_password": builders.VM_PASSWORD}
GRAPH_PERMISSIONS = ("User.Read.All", "GroupMember.Read.All", "Application.Read.All")


def server_values(unique: str, uai_id: str, **extra: object) -> dict[str, object]:
    return {
        "name": f"mysql-{unique}",
        "resource_group": f"rg-{unique}",
        "administrator_login": "mysqladmin",
        "identities": [uai_id],
        **extra,
    }


def server(clients: Clients, unique: str) -> tuple[Observed, Observed]:
    builders.group(clients, f"rg-{unique}")
    uai = builders.make(clients, "user_assigned_identity", {"name": "mysql-uai", "resource_group": f"rg-{unique}"})
    created = builders.make(
        clients, "mysql_flexible_server", server_values(unique, uai.exports["id"]), secrets=PASSWORD
    )
    return created, uai


def test_server_lifecycle_with_firewall_rules(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    rules = {"office": {"start": "10.0.0.1", "end": "10.0.0.9"}}
    values = server_values(unique, uai.exports["id"], firewall_rules=rules)
    wanted = desired("mysql_flexible_server", values, secrets=PASSWORD)
    later = changed(wanted, firewall_rules={"home": {"start": "10.1.0.1", "end": "10.1.0.1"}}, storage_gb=32)
    updated = full_lifecycle(clients, wanted, later)
    assert updated.attributes["firewall_rules"] == {"home": {"start": "10.1.0.1", "end": "10.1.0.1"}}
    assert updated.exports["fqdn"] == f"mysql-{unique}.mysql.database.azure.com"


def test_database_lifecycle(clients: Clients, unique: str) -> None:
    created, _ = server(clients, unique)
    wanted = desired("mysql_database", {"name": "appdb", "server": created.exports["id"]})
    found = create_and_check(clients, wanted)
    assert found.attributes["charset"] == "utf8mb4"
    delete_and_check(clients, found, wanted)


def test_the_entra_admin_needs_the_identitys_graph_permissions(clients: Clients, unique: str) -> None:
    created, uai = server(clients, unique)
    admin = desired(
        "mysql_entra_admin",
        {
            "server": created.exports["id"],
            "login": "alice@provisionlocal.onmicrosoft.com",
            "object_id": clients.principal_id,
            "identity": uai.exports["id"],
        },
    )
    with pytest.raises(CloudError) as refused:
        PROVIDERS["mysql_entra_admin"].create(RunContext(clients), admin)
    assert refused.value.status == 400
    assert "User.Read.All, GroupMember.Read.All, Application.Read.All" in str(refused.value)
    for permission in GRAPH_PERMISSIONS:
        grant = {"principal": uai.exports["principal_id"], "permission": permission}
        builders.make(clients, "graph_app_role_assignment", grant)
    found = create_and_check(clients, admin)
    assert found.attributes["identity"].lower() == uai.exports["id"].lower()
    delete_and_check(clients, found, admin)
    assert read(clients, admin) is None
