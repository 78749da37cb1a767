"""The statements of the local MySQL server, run for one signed-in caller: Entra users (`CREATE AADUSER`,
`DROP USER`), grants per database (`GRANT`, `REVOKE`, `SHOW GRANTS`), `mysql.user`, the seeded `sample`
table, `CURRENT_USER()`. Refusals are MySQL's errors, in MySQL's words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from mysql_mimic.errors import ErrorCode, MysqlError

from provisioner.emulator.core.store import DirectoryObject, Store, StoredResource
from provisioner.emulator.mysql.accounts import PRIVILEGES, SAMPLE_TABLE, SampleTable, ServerAccounts
from provisioner.emulator.mysql.sqltext import Cursor

MAX_ROWS = 1000
USER_COLUMNS = {"user": "User", "host": "Host", "plugin": "plugin"}
Result = tuple[Sequence[Sequence[Any]], Sequence[str]] | None


def error(code: int, message: str) -> MysqlError:
    return MysqlError(message, cast(ErrorCode, code))


@dataclass
class Caller:
    """Who is signed in, where: the MySQL user name and whether it is the server's Entra admin."""

    store: Store
    server: StoredResource
    user: str
    host: str
    admin: bool
    database: str | None

    @property
    def account(self) -> str:
        return f"'{self.user}'@'{self.host}'"

    @property
    def accounts(self) -> ServerAccounts:
        return ServerAccounts(self.store, self.server.id)

    def database_resource(self, name: str) -> StoredResource | None:
        return self.store.get_resource(f"{self.server.id}/databases/{name}")

    def privileges(self, database: str) -> set[str]:
        if self.admin:
            return set(PRIVILEGES)
        return self.accounts.grants(self.user).get(database, set())


def run(caller: Caller, text: str, resolve: Any) -> Result:
    """Run one statement; `resolve(name, id)` finds the Entra principal of `CREATE AADUSER`."""
    cursor = Cursor(text)
    if cursor.done():
        raise error(1065, "Query was empty")
    for words, handler in _HANDLERS:
        if cursor.keyword(*words):
            return handler(caller, cursor, resolve)
    raise cursor.error()


def _no_op(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    return None


def _require_admin(caller: Caller, privilege: str) -> None:
    if not caller.admin:
        raise error(1227, f"Access denied; you need (at least one of) the {privilege} privilege(s) for this operation")


def _create_aad_user(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    name = cursor.name()
    principal_id = cursor.string() if cursor.keyword("IDENTIFIED", "BY") else None
    cursor.end()
    _require_admin(caller, "CREATE USER")
    principal: DirectoryObject | None = resolve(name, principal_id)
    if principal is None:
        raise error(1105, f"Unable to find the Microsoft Entra principal '{principal_id or name}'.")
    if not caller.accounts.add_user(name, principal_id or principal.id):
        raise error(1396, f"Operation CREATE USER failed for '{name}'@'%'")
    return None


def _drop_user(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    if_exists = cursor.keyword("IF", "EXISTS")
    name = cursor.account()
    cursor.end()
    _require_admin(caller, "CREATE USER")
    if not caller.accounts.drop_user(name) and not if_exists:
        raise error(1396, f"Operation DROP USER failed for '{name}'@'%'")
    return None


def _privileges(cursor: Cursor) -> list[str]:
    found: list[str] = []
    while True:
        if cursor.keyword("ALL"):
            cursor.keyword("PRIVILEGES")
            found.extend(PRIVILEGES)
        else:
            word = cursor.name().upper()
            if word not in PRIVILEGES:
                raise cursor.error()
            found.append(word)
        if not cursor.punct(","):
            return found


def _database_target(caller: Caller, cursor: Cursor) -> str:
    cursor.expect("ON")
    database = cursor.name()
    if not (cursor.punct(".") and cursor.punct("*")):
        raise cursor.error()
    if caller.database_resource(database) is None:
        raise error(1049, f"Unknown database '{database}'")
    return database


def _grant_statement(caller: Caller, cursor: Cursor, preposition: str) -> tuple[list[str], str, str]:
    """`privileges ON db.* TO|FROM account`, by the server's Entra admin only: (privileges, database, user)."""
    privileges = _privileges(cursor)
    database = _database_target(caller, cursor)
    cursor.expect(preposition)
    name = cursor.account()
    cursor.end()
    if not caller.admin:
        raise error(1044, f"Access denied for user {caller.account} to database '{database}'")
    return privileges, database, name


def _grant(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    privileges, database, name = _grant_statement(caller, cursor, "TO")
    if caller.accounts.user(name) is None:
        raise error(1410, "You are not allowed to create a user with GRANT")
    caller.accounts.grant(name, database, privileges)
    return None


def _revoke(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    privileges, database, name = _grant_statement(caller, cursor, "FROM")
    if caller.accounts.revoke(name, database, privileges) == 0:
        raise error(1141, f"There is no such grant defined for user '{name}' on host '%'")
    return None


def _show(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    cursor.expect("GRANTS")
    name = cursor.account() if cursor.keyword("FOR") else caller.user
    cursor.end()
    if name != caller.user:
        _require_admin(caller, "SELECT")
    if name != caller.user and caller.accounts.user(name) is None:
        raise error(1141, f"There is no such grant defined for user '{name}' on host '%'")
    lines = [f"GRANT USAGE ON *.* TO `{name}`@`%`"]
    for database, privileges in sorted(caller.accounts.grants(name).items()):
        listed = ", ".join(privilege for privilege in PRIVILEGES if privilege in privileges)
        lines.append(f"GRANT {listed} ON `{database}`.* TO `{name}`@`%`")
    return [[line] for line in lines], [f"Grants for {name}@%"]


def _set(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    return None


def _use(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    database = cursor.name()
    cursor.end()
    if caller.database_resource(database) is None:
        raise error(1049, f"Unknown database '{database}'")
    if not caller.privileges(database):
        raise error(1044, f"Access denied for user {caller.account} to database '{database}'")
    caller.database = database
    return None


def _table(caller: Caller, cursor: Cursor) -> tuple[str, str]:
    """`[db.]table`: the database and table (the current database when none is named)."""
    first = cursor.name()
    if cursor.punct("."):
        return first, cursor.name()
    if caller.database is None:
        raise error(1046, "No database selected")
    return caller.database, first


def _select(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    following = cursor.peek(1)
    function_call = following is not None and following.kind == "punct" and following.text == "("
    if cursor.keyword("CURRENT_USER") or (function_call and cursor.keyword("USER")):
        if cursor.punct("(") and not cursor.punct(")"):
            raise cursor.error()
        cursor.end()
        return [[f"{caller.user}@%"]], ["CURRENT_USER()"]
    columns = _columns(cursor)
    if cursor.done():
        return _constants(cursor, columns)
    cursor.expect("FROM")
    database, table = _table(caller, cursor)
    if database.lower() == "mysql" and table.lower() == "user":
        return _mysql_user(caller, cursor, columns)
    return _sample(caller, cursor, database, table, columns)


def _columns(cursor: Cursor) -> list[str]:
    found: list[str] = []
    while True:
        if cursor.punct("*"):
            found.append("*")
        elif cursor.keyword("COUNT"):
            if not (cursor.punct("(") and cursor.punct("*") and cursor.punct(")")):
                raise cursor.error()
            found.append("COUNT(*)")
        else:
            found.append(cursor.name())
        if not cursor.punct(","):
            return found


def _constants(cursor: Cursor, columns: list[str]) -> Result:
    if not all(column.isdigit() for column in columns):
        raise cursor.error()
    return [[int(column) for column in columns]], columns


def _mysql_user(caller: Caller, cursor: Cursor, columns: list[str]) -> Result:
    user = None
    if cursor.keyword("WHERE"):
        if cursor.name().lower() != "user" or not cursor.punct("="):
            raise cursor.error()
        user = cursor.string()
    cursor.end()
    if not caller.admin:
        raise error(1142, f"SELECT command denied to user {caller.account} for table 'user'")
    wanted = list(USER_COLUMNS.values()) if columns == ["*"] else columns
    if any(column.lower() not in USER_COLUMNS for column in wanted):
        unknown = next(column for column in wanted if column.lower() not in USER_COLUMNS)
        raise error(1054, f"Unknown column '{unknown}' in 'field list'")
    rows = [{"user": item.name, "host": "%", "plugin": "aad_auth"} for item in caller.accounts.users()]
    selected = [row for row in rows if user is None or row["user"] == user]
    names = [USER_COLUMNS[column.lower()] for column in wanted]
    return [[row[column.lower()] for column in wanted] for row in selected], names


def _sample(caller: Caller, cursor: Cursor, database: str, table: str, columns: list[str]) -> Result:
    limit = MAX_ROWS
    if cursor.keyword("LIMIT"):
        text = cursor.name()
        if not text.isdigit():
            raise cursor.error()
        limit = min(int(text), MAX_ROWS)
    cursor.end()
    resource = _sample_table(caller, database, table)
    if "SELECT" not in caller.privileges(database):
        raise error(1142, f"SELECT command denied to user {caller.account} for table '{table}'")
    rows = SampleTable(caller.store, resource.id).rows(limit)
    if columns == ["COUNT(*)"]:
        return [[len(rows)]], ["COUNT(*)"]
    wanted = ["id", "note"] if columns == ["*"] else [column.lower() for column in columns]
    if any(column not in ("id", "note") for column in wanted):
        unknown = next(column for column in wanted if column not in ("id", "note"))
        raise error(1054, f"Unknown column '{unknown}' in 'field list'")
    return [[row[0] if column == "id" else row[1] for column in wanted] for row in rows], wanted


def _sample_table(caller: Caller, database: str, table: str) -> StoredResource:
    resource = caller.database_resource(database)
    if resource is None:
        raise error(1049, f"Unknown database '{database}'")
    if table != SAMPLE_TABLE:
        raise error(1146, f"Table '{database}.{table}' doesn't exist")
    return resource


def _insert(caller: Caller, cursor: Cursor, resolve: Any) -> Result:
    cursor.expect("INTO")
    database, table = _table(caller, cursor)
    if cursor.punct("(") and (cursor.name().lower() != "note" or not cursor.punct(")")):
        raise cursor.error()
    cursor.expect("VALUES")
    if not cursor.punct("("):
        raise cursor.error()
    note = cursor.string()
    if not cursor.punct(")"):
        raise cursor.error()
    cursor.end()
    resource = _sample_table(caller, database, table)
    if "INSERT" not in caller.privileges(database):
        raise error(1142, f"INSERT command denied to user {caller.account} for table '{table}'")
    SampleTable(caller.store, resource.id).insert(note)
    return None


_HANDLERS = (
    (("CREATE", "AADUSER"), _create_aad_user),
    (("DROP", "USER"), _drop_user),
    (("GRANT",), _grant),
    (("REVOKE",), _revoke),
    (("SHOW",), _show),
    (("SELECT",), _select),
    (("INSERT",), _insert),
    (("USE",), _use),
    (("SET",), _set),
    (("COMMIT",), _no_op),
    (("ROLLBACK",), _no_op),
    (("BEGIN",), _no_op),
    (("START", "TRANSACTION"), _no_op),
)
