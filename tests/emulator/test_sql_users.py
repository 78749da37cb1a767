"""Contained Entra users, fixed-role membership and who may log in and read, over TDS with the real
python-tds client, with SQL Server's error numbers and messages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients
from tests.emulator.helpers_sql import LOCATION, SQL_SCOPE, SqlDatabase, database, rows, sql
from tests.emulator.helpers_web import identity_environment
from tests.emulator.sql_world import ALICE_UPN, GROUP, TWIN_GROUP, build_world, ensure_user, token_of


@pytest.fixture(scope="module")
def world(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    return build_world(local_cloud, operator_credential)


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

    decision = db.connect(token_of(local_cloud, world, "reader-app"))
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
    decision = world["db"].connect(token_of(local_cloud, world, "noread-app"))
    assert (decision["can_connect"], decision["can_read"], decision["roles"]) == (True, False, [])


def test_a_principal_without_a_contained_user_cannot_log_in(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    token = token_of(local_cloud, world, "outsider-app")
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


def test_only_the_admin_or_db_owner_may_change_users(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    db, operator = world["db"], world["operator"]
    ensure_user(db, operator, "reader-app")
    reader = token_of(local_cloud, world, "reader-app")
    error = db.error(reader, "CREATE USER [outsider-app] FROM EXTERNAL PROVIDER")
    assert (error.number, error.message) == (15247, "User does not have permission to perform this action.")
    assert db.error(reader, "ALTER ROLE db_owner ADD MEMBER [reader-app]").number == 15247

    db.ok(operator, "CREATE USER [owner-app] FROM EXTERNAL PROVIDER")
    db.ok(operator, "ALTER ROLE db_owner ADD MEMBER [owner-app]")
    owner = token_of(local_cloud, world, "owner-app")
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
    decision = db.connect(token_of(local_cloud, world, "group-app"))
    assert (decision["can_connect"], decision["can_read"], decision["roles"]) == (True, True, ["db_datareader"])


def test_an_identity_removed_from_the_admin_group_loses_sql_access(
    local_cloud: LocalCloudServer, operator_credential: Any, world: dict[str, Any]
) -> None:
    db = world["group_db"]
    member = world["apps"]["group-admin-app"].identity.principal_id
    token = token_of(local_cloud, world, "group-admin-app")
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
    token = token_of(local_cloud, world, "dropped-app")
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
