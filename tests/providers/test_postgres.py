"""The PostgreSQL providers against the local cloud: every step of each kind through
azure-mgmt-postgresqlflexibleservers and psycopg (a real cluster), drift seen and repaired."""

from __future__ import annotations

from provisioner.azure.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Observed
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, full_lifecycle, read, replan_calls

ADMIN = "provision-operator"
RULE = {"name": "office", "start_ip_address": "203.0.113.0", "end_ip_address": "203.0.113.255"}


def server(clients: Clients, unique: str, **extra: object) -> Observed:
    builders.group(clients, f"rg-{unique}")
    return builders.make(
        clients, "postgres_flexible_server", {"name": f"pg-{unique}", "resource_group": f"rg-{unique}", **extra}
    )


def test_postgres_flexible_server_lifecycle_with_firewall_rules(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    values = {"name": f"pg-{unique}", "resource_group": f"rg-{unique}", "firewall_rules": [RULE]}
    wanted = desired("postgres_flexible_server", values)
    other = {"name": "home", "start_ip_address": "198.51.100.7", "end_ip_address": "198.51.100.7"}
    updated = full_lifecycle(clients, wanted, changed(wanted, firewall_rules=[other], storage_size_gb=64))
    assert updated.attributes["firewall_rules"] == [other]
    assert updated.attributes["storage_size_gb"] == 64
    assert updated.exports["fqdn"] == f"pg-{unique}.postgres.database.azure.com"


def test_a_database_user_is_made_read_back_and_its_drift_repaired(
    clients: Clients, local_cloud: LocalCloudServer, unique: str
) -> None:
    pg = server(clients, unique)
    database = builders.make(clients, "postgres_database", {"name": "appdb", "server": pg.azure_id})
    operator = local_cloud.cloud.identity.operator_object_id
    admin = {
        "server": pg.azure_id,
        "object_id": operator,
        "principal_name": ADMIN,
        "principal_type": "ServicePrincipal",
    }
    create_and_check(clients, desired("postgres_entra_admin", admin))
    values = {
        "database": database.azure_id,
        "name": 'app-1"; DROP TABLE checks; --',  # a hostile name is only a name (quote_ident)
        "object_id": "11111111-2222-3333-4444-555555555555",
        "principal_type": "ServicePrincipal",
        "admin": ADMIN,
        "privileges": ["SELECT"],
    }
    wanted = desired("postgres_database_user", values)
    created = create_and_check(clients, wanted)
    assert created.attributes["privileges"] == ["SELECT"]
    assert replan_calls(clients, local_cloud, wanted)[1:] == (0, 0)

    provider = PROVIDERS["postgres_database_user"]
    more = changed(wanted, privileges=["SELECT", "INSERT"], roles=["pg_read_all_data"])
    changes = provider.diff(more, created)
    assert {change.path for change in changes} == {"privileges", "roles"}
    provider.update(RunContext(clients), more, created, changes)
    after = read(clients, more)
    assert after is not None and provider.diff(more, after) == []
    assert after.attributes["privileges"] == ["INSERT", "SELECT"] and after.attributes["roles"] == ["pg_read_all_data"]

    provider.delete(RunContext(clients), created.azure_id, created.attributes)
    assert read(clients, wanted) is None
    provider.delete(RunContext(clients), created.azure_id, created.attributes)
    tables = clients.postgres_sql.run(pg.exports["name"], "appdb", ADMIN, ["SELECT count(*) FROM checks"])
    assert tables == [(1,)]
