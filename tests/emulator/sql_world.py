"""The world the SQL-over-TDS tests share: web apps with system identities, a server the operator
administers and one a group administers, each with a database (built once per test module)."""

from __future__ import annotations

from typing import Any

from msgraph.generated.models.group import Group
from msgraph.generated.models.reference_create import ReferenceCreate

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients
from tests.emulator.helpers_sql import LOCATION, SQL_RESOURCE, SQL_SCOPE, SqlDatabase, database, entra_admin, sql_server
from tests.emulator.helpers_web import app_token, plan, site

GROUP = "sql-endpoint-rg"
TWIN_GROUP = "sql-endpoint-twin-rg"
APPS = (
    "reader-app",
    "noread-app",
    "outsider-app",
    "group-app",
    "group-admin-app",
    "owner-app",
    "dropped-app",
    "dup-app",
)
ALICE_UPN = "alice@provisionlocal.onmicrosoft.com"


def new_group(local_cloud: LocalCloudServer, credential: Any, name: str, member: str) -> str:
    group = Group(display_name=name, mail_enabled=False, mail_nickname=name, security_enabled=True)
    created = clients.run_msgraph(local_cloud, credential, lambda g: g.groups.post(group))
    reference = ReferenceCreate(odata_id=f"{local_cloud.url}/v1.0/directoryObjects/{member}")
    clients.run_msgraph(local_cloud, credential, lambda g: g.groups.by_group_id(created.id).members.ref.post(reference))
    return str(created.id)


def build_world(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    """Web apps with system identities, an operator-administered server and one administered by a group."""
    resource_groups = clients.resources(local_cloud, operator_credential).resource_groups
    for name in (GROUP, TWIN_GROUP):
        resource_groups.create_or_update(name, {"location": LOCATION})
    app_plan = plan(local_cloud, operator_credential, GROUP, "endpoint-plan")
    apps = {
        name: site(local_cloud, operator_credential, GROUP, name, app_plan.id, {"type": "SystemAssigned"})
        for name in APPS
    }
    identity = local_cloud.cloud.identity
    operator = entra_admin("ops", identity.operator_object_id)
    sql_server(local_cloud, operator_credential, GROUP, "endpoint-srv", operator, azure_services=True)
    admins = new_group(local_cloud, operator_credential, "sql-admins", apps["group-admin-app"].identity.principal_id)
    new_group(local_cloud, operator_credential, "sql-readers", apps["group-app"].identity.principal_id)
    admin = entra_admin("sql-admins", admins, principal_type="Group")
    sql_server(local_cloud, operator_credential, GROUP, "group-admin-srv", admin, azure_services=True)
    return {
        "apps": apps,
        "admins": admins,
        "db": sql_database(local_cloud, operator_credential, "endpoint-srv", "appdb"),
        "group_db": sql_database(local_cloud, operator_credential, "group-admin-srv", "groupdb"),
        "operator": operator_credential.get_token(SQL_SCOPE).token,
    }


def sql_database(local_cloud: LocalCloudServer, credential: Any, server_name: str, name: str) -> SqlDatabase:
    database(local_cloud, credential, GROUP, server_name, name)
    return SqlDatabase(local_cloud, server_name, name)


def token_of(local_cloud: LocalCloudServer, world: dict[str, Any], app: str) -> str:
    return app_token(local_cloud, world["apps"][app].id, SQL_RESOURCE)


def ensure_user(db: Any, operator: str, name: str) -> None:
    """A contained user for `name`, whichever tests ran before on this database."""
    found = db.ok(operator, f"SELECT name FROM sys.database_principals WHERE name = '{name}'")
    if not found["rows"]:
        db.ok(operator, f"CREATE USER [{name}] FROM EXTERNAL PROVIDER")
