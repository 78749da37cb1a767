"""What the local SQL endpoint answers, over TDS with the real python-tds client: SQL Server's errors for
what is outside its grammar, who the caller is, the catalog's column types, and how the tool's client
maps SQL's errors onto the error tree."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from provisioner.azure.sql_tds import run
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import CloudError, TransientCloudError
from tests.emulator.helpers_sql import SqlDatabase
from tests.emulator.sql_world import build_world, ensure_user, token_of


@pytest.fixture(scope="module")
def world(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    return build_world(local_cloud, operator_credential)


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


def test_the_tools_client_maps_sql_errors_to_the_error_tree(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    """SQL Server's number is the error's code, its message the text; a refusal is no transient failure."""
    db, operator = world["db"], world["operator"]
    ensure_user(db, operator, "reader-app")
    reader = token_of(local_cloud, world, "reader-app")
    for token, statement, number, status in (
        (operator, "DROP USER [nobody]", "15151", 400),
        (operator, "CREATE USER [reader-app] FROM EXTERNAL PROVIDER", "15023", 400),
        (operator, "CREATE USER [no-such-app] FROM EXTERNAL PROVIDER", "33130", 400),
        (reader, "CREATE USER [outsider-app] FROM EXTERNAL PROVIDER", "15247", 403),
        (token_of(local_cloud, world, "outsider-app"), "SELECT 1", "18456", 401),
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
        ensure_user(db, operator, name)
    db.ok(operator, "ALTER ROLE db_datareader ADD MEMBER [sql-readers]")
    whoami = "SELECT SUSER_SNAME() AS login, USER_NAME() AS who"
    assert db.ok(operator, whoami)["rows"] == [[f"{identity.operator_client_id}@{identity.tenant_id}", "dbo"]]
    for app, user in (("reader-app", "reader-app"), ("group-app", "sql-readers")):
        client_id = local_cloud.cloud.store.get_directory_object(world["apps"][app].identity.principal_id).app_id
        rows = db.ok(token_of(local_cloud, world, app), whoami)["rows"]
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


def test_catalog_columns_have_the_types_sql_server_declares(world: dict[str, Any]) -> None:
    """int, char(1), nvarchar(128) (sysname), varbinary(85), bit and datetime, as python-tds decodes them."""
    with world["db"].login(world["operator"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM sys.database_principals WHERE name = 'dbo'")
        (row,) = cursor.fetchall()
        described = {column[0]: column for column in cursor.description}
    dbo = dict(zip(described, row, strict=True))
    assert (dbo["principal_id"], dbo["type"], dbo["sid"], dbo["is_fixed_role"]) == (1, "S", None, False)
    assert isinstance(dbo["create_date"], datetime.datetime) and dbo["create_date"].year >= 2024
    assert described["name"][3] == 128 and described["type"][3] == 1 and described["sid"][3] == 85
