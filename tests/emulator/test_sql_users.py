"""Contained Entra users, fixed-role membership and who may log in and read, over TDS with the real
python-tds client, with SQL Server's error numbers and messages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from msgraph.generated.models.group import Group
from msgraph.generated.models.reference_create import ReferenceCreate

from provisioner.azure.sql_tds import run
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import CloudError, TransientCloudError
from tests.emulator import clients
from tests.emulator.helpers_sql import (
    LOCATION,
    SQL_RESOURCE,
    SQL_SCOPE,
    SqlDatabase,
    database,
    entra_admin,
    rows,
    sql,
    sql_server,
)
from tests.emulator.helpers_web import app_token, identity_environment, plan, site

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


def _new_group(local_cloud: LocalCloudServer, credential: Any, name: str, member: str) -> str:
    group = Group(display_name=name, mail_enabled=False, mail_nickname=name, security_enabled=True)
    created = clients.run_msgraph(local_cloud, credential, lambda g: g.groups.post(group))
    reference = ReferenceCreate(odata_id=f"{local_cloud.url}/v1.0/directoryObjects/{member}")
    clients.run_msgraph(local_cloud, credential, lambda g: g.groups.by_group_id(created.id).members.ref.post(reference))
    return str(created.id)


@pytest.fixture(scope="module")
def world(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
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
    admins = _new_group(local_cloud, operator_credential, "sql-admins", apps["group-admin-app"].identity.principal_id)
    _new_group(local_cloud, operator_credential, "sql-readers", apps["group-app"].identity.principal_id)
    admin = entra_admin("sql-admins", admins, principal_type="Group")
    sql_server(local_cloud, operator_credential, GROUP, "group-admin-srv", admin, azure_services=True)
    return {
        "apps": apps,
        "admins": admins,
        "db": _database(local_cloud, operator_credential, "endpoint-srv", "appdb"),
        "group_db": _database(local_cloud, operator_credential, "group-admin-srv", "groupdb"),
        "operator": operator_credential.get_token(SQL_SCOPE).token,
    }


def _database(local_cloud: LocalCloudServer, credential: Any, server_name: str, name: str) -> SqlDatabase:
    database(local_cloud, credential, GROUP, server_name, name)
    return SqlDatabase(local_cloud, server_name, name)


def _token(local_cloud: LocalCloudServer, world: dict[str, Any], app: str) -> str:
    return app_token(local_cloud, world["apps"][app].id, SQL_RESOURCE)


def test_admin_connects_reads_and_sees_the_built_in_principals(world: dict[str, Any]) -> None:
    decision = world["db"].connect(world["operator"])
    assert (decision["can_connect"], decision["can_read"], decision["user_name"]) == (True, True, "dbo")
    assert decision["roles"] == ["db_owner"]

    result = world["db"].ok(
        world["operator"], "SELECT name, principal_id, type FROM sys.database_principals WHERE type = 'R'"
    )
    assert result["columns"] == ["name", "principal_id", "type"]
    assert ["db_datareader", 16390, "R"] in result["rows"]
    assert ["public", 0, "R"] in result["rows"]


def test_contained_user_with_db_datareader_can_connect_and_read(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    db, operator, app = world["db"], world["operator"], world["apps"]["reader-app"]
    db.ok(operator, "CREATE USER [reader-app] FROM EXTERNAL PROVIDER;")
    db.ok(operator, "alter role db_datareader add member [reader-app]")

    decision = db.connect(_token(local_cloud, world, "reader-app"))
    assert (decision["can_connect"], decision["can_read"]) == (True, True)
    assert (decision["user_name"], decision["roles"]) == ("reader-app", ["db_datareader"])

    query = (
        "SELECT name, type, type_desc, authentication_type_desc, CAST(sid AS UNIQUEIDENTIFIER) AS client_id "
        "FROM sys.database_principals WHERE name = N'READER-APP'"
    )
    (principal,) = rows(db.ok(operator, query))
    assert principal == {
        "name": "reader-app",
        "type": "E",
        "type_desc": "EXTERNAL_USER",
        "authentication_type_desc": "EXTERNAL",
        "client_id": local_cloud.cloud.store.get_directory_object(app.identity.principal_id).app_id.upper(),
    }
    client_id = local_cloud.cloud.store.get_directory_object(app.identity.principal_id).app_id
    shape = db.ok(operator, "SELECT name, type, sid FROM sys.database_principals WHERE name = 'reader-app'")
    assert shape["rows"] == [["reader-app", "E", uuid.UUID(client_id).bytes_le]]  # varbinary(16), GUID byte order
    memberships = db.ok(
        operator,
        "SELECT r.name AS role_name, m.name AS member_name FROM sys.database_role_members AS rm "
        "JOIN sys.database_principals AS r ON rm.role_principal_id = r.principal_id "
        "INNER JOIN sys.database_principals m ON rm.member_principal_id = m.principal_id",
    )
    assert ["db_datareader", "reader-app"] in memberships["rows"]
    assert ["db_owner", "dbo"] in memberships["rows"]


def test_a_token_from_managed_identity_credential_is_accepted(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    code = (
        "from azure.identity import ManagedIdentityCredential\n"
        f"print(ManagedIdentityCredential().get_token({SQL_SCOPE!r}).token)\n"
    )
    done = clients.run_inside(identity_environment(local_cloud, world["apps"]["reader-app"].id), local_cloud, code)
    assert done.returncode == 0, done.stderr
    decision = world["db"].connect(done.stdout.strip().splitlines()[-1])
    assert (decision["can_connect"], decision["can_read"]) == (True, True)


def test_a_user_without_a_read_role_connects_but_cannot_read(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    world["db"].ok(world["operator"], "CREATE USER [noread-app] FROM EXTERNAL PROVIDER")
    decision = world["db"].connect(_token(local_cloud, world, "noread-app"))
    assert (decision["can_connect"], decision["can_read"], decision["roles"]) == (True, False, [])


def test_a_principal_without_a_contained_user_cannot_log_in(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    token = _token(local_cloud, world, "outsider-app")
    decision = world["db"].connect(token)
    assert (decision["can_connect"], decision["can_read"], decision["error_number"]) == (False, False, 18456)
    error = world["db"].error(token, "SELECT name FROM sys.database_principals")
    assert (error.number, error.level) == (18456, 14)
    assert error.message == "Login failed for user '<token-identified principal>'."


def test_duplicate_user_is_refused_with_15023(world: dict[str, Any]) -> None:
    world["db"].ok(world["operator"], "CREATE USER [dup-app] FROM EXTERNAL PROVIDER")
    error = world["db"].error(world["operator"], "CREATE USER [DUP-APP] FROM EXTERNAL PROVIDER")
    assert (error.number, error.level) == (15023, 16)
    assert error.message == "User, group, or role 'DUP-APP' already exists in the current database."
    assert world["db"].error(world["operator"], "CREATE USER [db_owner] FROM EXTERNAL PROVIDER").number == 15023


def test_unknown_principal_is_refused_with_33130(world: dict[str, Any]) -> None:
    error = world["db"].error(world["operator"], "CREATE USER [no-such-app] FROM EXTERNAL PROVIDER")
    assert error.number == 33130
    assert error.message == "Principal 'no-such-app' could not be found or this principal type is not supported."
    by_display_name = world["db"].error(world["operator"], "CREATE USER [Alice Admin] FROM EXTERNAL PROVIDER")
    assert by_display_name.number == 33130
    world["db"].ok(world["operator"], f"CREATE USER [{ALICE_UPN}] FROM EXTERNAL PROVIDER")


def test_duplicate_display_name_is_refused_with_33131_and_object_id_resolves_it(
    local_cloud: LocalCloudServer, operator_credential: Any, world: dict[str, Any]
) -> None:
    identities = clients.msi(local_cloud, operator_credential).user_assigned_identities
    twin = identities.create_or_update(GROUP, "twin", {"location": LOCATION})
    identities.create_or_update(TWIN_GROUP, "twin", {"location": LOCATION})

    error = world["db"].error(world["operator"], "CREATE USER [twin] FROM EXTERNAL PROVIDER")
    assert error.number == 33131
    assert error.message == (
        "Principal 'twin' has a duplicate display name. Make the display name unique in Azure Active Directory "
        "and execute this statement again."
    )
    world["db"].ok(
        world["operator"], f"CREATE USER [twin] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '{twin.principal_id}'"
    )
    (row,) = rows(
        world["db"].ok(
            world["operator"],
            "SELECT CAST(sid AS UNIQUEIDENTIFIER) AS sid FROM sys.database_principals WHERE name = 'twin'",
        )
    )
    assert row["sid"] == twin.client_id.upper()


def _ensure_user(db: Any, operator: str, name: str) -> None:
    """A contained user for `name`, whichever tests ran before on this database."""
    found = db.ok(operator, f"SELECT name FROM sys.database_principals WHERE name = '{name}'")
    if not found["rows"]:
        db.ok(operator, f"CREATE USER [{name}] FROM EXTERNAL PROVIDER")


def test_only_the_admin_or_db_owner_may_change_users(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    db, operator = world["db"], world["operator"]
    _ensure_user(db, operator, "reader-app")
    reader = _token(local_cloud, world, "reader-app")
    error = db.error(reader, "CREATE USER [outsider-app] FROM EXTERNAL PROVIDER")
    assert (error.number, error.message) == (15247, "User does not have permission to perform this action.")
    assert db.error(reader, "ALTER ROLE db_owner ADD MEMBER [reader-app]").number == 15247

    db.ok(operator, "CREATE USER [owner-app] FROM EXTERNAL PROVIDER")
    db.ok(operator, "ALTER ROLE db_owner ADD MEMBER [owner-app]")
    owner = _token(local_cloud, world, "owner-app")
    db.ok(owner, "CREATE USER [outsider-app] FROM EXTERNAL PROVIDER")
    db.ok(owner, "DROP USER [outsider-app]")


def test_a_group_user_grants_read_to_its_members(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    db, operator = world["db"], world["operator"]
    db.ok(operator, "CREATE USER [sql-readers] FROM EXTERNAL PROVIDER")
    db.ok(operator, "ALTER ROLE db_datareader ADD MEMBER [sql-readers]")

    (row,) = rows(
        db.ok(
            operator,
            "SELECT type, type_desc, default_schema_name FROM sys.database_principals WHERE name = 'sql-readers'",
        )
    )
    assert row == {"type": "X", "type_desc": "EXTERNAL_GROUP", "default_schema_name": None}
    decision = db.connect(_token(local_cloud, world, "group-app"))
    assert (decision["can_connect"], decision["can_read"], decision["roles"]) == (True, True, ["db_datareader"])


def test_an_identity_removed_from_the_admin_group_loses_sql_access(
    local_cloud: LocalCloudServer, operator_credential: Any, world: dict[str, Any]
) -> None:
    db = world["group_db"]
    member = world["apps"]["group-admin-app"].identity.principal_id
    token = _token(local_cloud, world, "group-admin-app")
    assert db.connect(token)["user_name"] == "dbo"
    db.ok(token, "CREATE USER [reader-app] FROM EXTERNAL PROVIDER")
    assert db.connect(world["operator"])["can_connect"] is False

    remove = lambda g: g.groups.by_group_id(world["admins"]).members.by_directory_object_id(member).ref.delete()  # noqa: E731
    clients.run_msgraph(local_cloud, operator_credential, remove)

    decision = db.connect(token)
    assert (decision["can_connect"], decision["error_number"]) == (False, 18456)
    assert db.error(token, "DROP USER [reader-app]").number == 18456


def test_drop_member_and_drop_user(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    db, operator = world["db"], world["operator"]
    readers = "SELECT member_principal_id FROM sys.database_role_members WHERE role_principal_id = 16390"
    members_before = db.ok(operator, readers)["rows"]
    db.ok(operator, "CREATE USER [dropped-app] FROM EXTERNAL PROVIDER")
    db.ok(operator, "ALTER ROLE db_datareader ADD MEMBER [dropped-app]")
    token = _token(local_cloud, world, "dropped-app")
    assert db.connect(token)["can_read"] is True

    db.ok(operator, "ALTER ROLE db_datareader DROP MEMBER [dropped-app]")
    assert db.connect(token)["can_read"] is False
    db.ok(operator, "ALTER ROLE db_datareader ADD MEMBER [dropped-app]")
    db.ok(operator, "DROP USER [dropped-app]")
    assert db.connect(token)["can_connect"] is False
    assert db.ok(operator, readers)["rows"] == members_before  # the other readers remain

    error = db.error(operator, "DROP USER [dropped-app]")
    assert error.number == 15151
    assert (
        error.message == "Cannot drop the user 'dropped-app', because it does not exist or you do not have permission."
    )
    db.ok(operator, "DROP USER IF EXISTS [dropped-app]")
    assert db.error(operator, "DROP USER dbo").number == 15150
    unknown_role = db.error(operator, "ALTER ROLE db_nothing ADD MEMBER [reader-app]")
    assert (
        unknown_role.message
        == "Cannot alter the role 'db_nothing', because it does not exist or you do not have permission."
    )
    unknown_member = db.error(operator, "ALTER ROLE db_datareader ADD MEMBER [ghost]")
    assert (
        unknown_member.message
        == "Cannot add the principal 'ghost', because it does not exist or you do not have permission."
    )


@pytest.mark.parametrize(
    ("statement", "number", "message"),
    [
        ("GRANT SELECT ON dbo.t TO [reader-app]", 102, "Incorrect syntax near 'GRANT'."),
        ("CREATE USER [x]", 102, "Incorrect syntax near 'x'."),
        ("CREATE LOGIN [x] FROM EXTERNAL PROVIDER", 102, "Incorrect syntax near 'LOGIN'."),
        ("SELECT name FROM sys.database_principals; DROP USER x", 102, "Incorrect syntax near 'DROP'."),
        (
            "SELECT name FROM sys.database_principals WHERE name = 'x",
            105,
            "Unclosed quotation mark after the character string 'x'.",
        ),
        (
            "CREATE USER [we]]ird] FROM EXTERNAL PROVIDER",
            33130,
            "Principal 'we]ird' could not be found or this principal type is not supported.",
        ),
        ("SELECT name FROM sys.objects", 208, "Invalid object name 'sys.objects'."),
        ("SELECT nope FROM sys.database_principals", 207, "Invalid column name 'nope'."),
        (
            "SELECT p.name FROM sys.database_principals q",
            4104,
            'The multi-part identifier "p.name" could not be bound.',
        ),
        (
            "SELECT principal_id FROM sys.database_principals a "
            "JOIN sys.database_principals b ON a.principal_id = b.principal_id",
            209,
            "Ambiguous column name 'principal_id'.",
        ),
        (
            "SELECT CAST(principal_id AS UNIQUEIDENTIFIER) FROM sys.database_principals",
            529,
            "Explicit conversion from data type int to uniqueidentifier is not allowed.",
        ),
    ],
)
def test_statements_outside_the_grammar_are_refused_as_sql_server_does(
    world: dict[str, Any], statement: str, number: int, message: str
) -> None:
    error = world["db"].error(world["operator"], statement)
    assert (error.number, error.message) == (number, message)


def test_tokens_for_another_audience_or_none_fail_to_log_in(
    local_cloud: LocalCloudServer, operator_credential: Any, world: dict[str, Any]
) -> None:
    arm = operator_credential.get_token("https://management.azure.com/.default").token
    assert world["db"].error(arm, "SELECT name FROM sys.database_principals").number == 18456
    # no token at all: python-tds will not send one; test_tds.py sends that LOGIN7 raw


def test_unknown_server_and_database(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    no_database = SqlDatabase(local_cloud, "endpoint-srv", "nodb").error(world["operator"], "SELECT 1")
    # SQL Server sends 4060, then the login failure; a client reports the last
    assert (no_database.number, no_database.messages) == (
        18456,
        'Cannot open database "nodb" requested by the login. The login failed. '
        "Login failed for user '<token-identified principal>'.",
    )
    no_server = SqlDatabase(local_cloud, "no-srv", "appdb", wait=0.5).error(world["operator"], "SELECT 1")
    assert (no_server.number, no_server.level) == (40532, 20)


def test_deleting_a_database_drops_its_users(
    local_cloud: LocalCloudServer, operator_credential: Any, world: dict[str, Any]
) -> None:
    created = database(local_cloud, operator_credential, GROUP, "endpoint-srv", "shortlived")
    db = SqlDatabase(local_cloud, "endpoint-srv", created.name)
    db.ok(world["operator"], "CREATE USER [reader-app] FROM EXTERNAL PROVIDER")
    sql(local_cloud, operator_credential).databases.begin_delete(GROUP, "endpoint-srv", "shortlived").result()
    database(local_cloud, operator_credential, GROUP, "endpoint-srv", "shortlived")

    result = db.ok(world["operator"], "SELECT name FROM sys.database_principals WHERE type IN ('E', 'X')")
    assert result["rows"] == []


def test_the_tools_client_maps_sql_errors_to_the_error_tree(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    """SQL Server's number is the error's code, its message the text; a refusal is no transient failure."""
    db, operator = world["db"], world["operator"]
    _ensure_user(db, operator, "reader-app")
    reader = _token(local_cloud, world, "reader-app")
    for token, statement, number, status in (
        (operator, "DROP USER [nobody]", "15151", 400),
        (operator, "CREATE USER [reader-app] FROM EXTERNAL PROVIDER", "15023", 400),
        (operator, "CREATE USER [no-such-app] FROM EXTERNAL PROVIDER", "33130", 400),
        (reader, "CREATE USER [outsider-app] FROM EXTERNAL PROVIDER", "15247", 403),
        (_token(local_cloud, world, "outsider-app"), "SELECT 1", "18456", 401),
    ):
        with pytest.raises(CloudError) as failed:
            run(db.address, "endpoint-srv", "appdb", token, statement)
        assert (failed.value.code, failed.value.status) == (number, status), failed.value
        assert not isinstance(failed.value, TransientCloudError)
    with pytest.raises(CloudError) as gone:
        run(db.address, "endpoint-srv", "nodb", operator, "SELECT 1")
    assert (gone.value.code, gone.value.status) == ("4060", 404)


def test_who_am_i_and_the_principals_shape_as_sql_server_answers(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    """SUSER_SNAME(): an application's `<client id>@<tenant id>`; USER_NAME(): dbo for the admin, else the
    contained user (its own, or its group's); `type` E for users and applications, X for groups."""
    db, operator = world["db"], world["operator"]
    identity = local_cloud.cloud.identity
    for name in ("reader-app", "sql-readers"):
        _ensure_user(db, operator, name)
    db.ok(operator, "ALTER ROLE db_datareader ADD MEMBER [sql-readers]")
    whoami = "SELECT SUSER_SNAME() AS login, USER_NAME() AS who"
    assert db.ok(operator, whoami)["rows"] == [[f"{identity.operator_client_id}@{identity.tenant_id}", "dbo"]]
    for app, user in (("reader-app", "reader-app"), ("group-app", "sql-readers")):
        client_id = local_cloud.cloud.store.get_directory_object(world["apps"][app].identity.principal_id).app_id
        rows = db.ok(_token(local_cloud, world, app), whoami)["rows"]
        assert rows == [[f"{client_id}@{identity.tenant_id}", user]]

    shapes = db.ok(operator, "SELECT name, type, sid FROM sys.database_principals WHERE type IN ('E', 'X')")
    assert shapes["columns"] == ["name", "type", "sid"]
    by_name = {name: (kind, sid) for name, kind, sid in shapes["rows"]}
    assert by_name["sql-readers"] == ("X", uuid.UUID(_group_id(local_cloud, "sql-readers")).bytes_le)
    assert by_name["reader-app"][0] == "E"
    assert all(isinstance(sid, bytes) and len(sid) == 16 for _, sid in by_name.values())


def _group_id(local_cloud: LocalCloudServer, name: str) -> str:
    (group,) = [obj for obj in local_cloud.cloud.store.find_directory_objects(display_name=name) if obj.kind == "group"]
    return group.id
