"""The two catalog views the endpoint serves, `sys.database_principals` and `sys.database_role_members`,
and the evaluation of a parsed SELECT over them (equality joins, `=` / `IN` filters, projection),
with SQL Server's binding errors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from provisioner.emulator.sql.principals import BUILTIN_USERS, FIXED_ROLES, ContainedUser, DatabaseState
from provisioner.emulator.sql.tsql import Column, Item, Predicate, Select, TsqlError

Row = dict[str, Any]
Env = dict[str, Row]  # alias (lower-cased) -> row of that table
PRINCIPALS = "sys.database_principals"
ROLE_MEMBERS = "sys.database_role_members"
PRINCIPAL_COLUMNS = (
    "name",
    "principal_id",
    "type",
    "type_desc",
    "default_schema_name",
    "create_date",
    "modify_date",
    "owning_principal_id",
    "sid",
    "is_fixed_role",
    "authentication_type",
    "authentication_type_desc",
)
ROLE_MEMBER_COLUMNS = ("role_principal_id", "member_principal_id")
COLUMNS = {PRINCIPALS: PRINCIPAL_COLUMNS, ROLE_MEMBERS: ROLE_MEMBER_COLUMNS}
NON_CHARACTER_TYPES = {"create_date": "datetime", "modify_date": "datetime", "is_fixed_role": "bit"}
AUTHENTICATION_TYPES = {0: "NONE", 1: "INSTANCE", 4: "EXTERNAL"}


@dataclass(frozen=True)
class ResultSet:
    columns: list[str]
    rows: list[list[Any]]
    types: list[str | None] | None = None  # each column's SQL type, as its source declares it


# As SQL Server declares the views' columns (sysname is nvarchar(128)).
COLUMN_TYPES = {
    "name": "nvarchar(128)",
    "principal_id": "int",
    "type": "char(1)",
    "type_desc": "nvarchar(60)",
    "default_schema_name": "nvarchar(128)",
    "create_date": "datetime",
    "modify_date": "datetime",
    "owning_principal_id": "int",
    "sid": "varbinary(85)",
    "is_fixed_role": "bit",
    "authentication_type": "int",
    "authentication_type_desc": "nvarchar(60)",
    "role_principal_id": "int",
    "member_principal_id": "int",
}
CAST_TYPE = "nvarchar(36)"  # CAST(... AS UNIQUEIDENTIFIER) is answered as its text


def _principal(name: str, principal_id: int, kind: str, created: str, **details: Any) -> Row:
    type_desc = {"R": "DATABASE_ROLE", "S": "SQL_USER", "E": "EXTERNAL_USER", "X": "EXTERNAL_GROUP"}[kind]
    authentication = details.get("authentication_type", 0)
    return {
        "name": name,
        "principal_id": principal_id,
        "type": kind,
        "type_desc": type_desc,
        "default_schema_name": details.get("default_schema_name"),
        "create_date": created,
        "modify_date": created,
        "owning_principal_id": details.get("owning_principal_id"),
        "sid": details.get("sid"),
        "is_fixed_role": details.get("is_fixed_role", False),
        "authentication_type": authentication,
        "authentication_type_desc": AUTHENTICATION_TYPES[authentication],
    }


def _user_row(user: ContainedUser) -> Row:
    schema = "dbo" if user.type == "E" else None
    return _principal(
        user.name, user.principal_id, user.type, user.created_at, sid=bytes.fromhex(user.sid[2:]),
        default_schema_name=schema,
        authentication_type=4,
    )  # fmt: skip


def principal_rows(state: DatabaseState, created: str) -> list[Row]:
    """public, the built-in users, the contained users and the fixed roles, by principal_id."""
    rows = [_principal("public", 0, "R", created, owning_principal_id=BUILTIN_USERS["dbo"])]
    for name, principal_id in BUILTIN_USERS.items():
        authentication = 1 if name == "dbo" else 0
        rows.append(
            _principal(name, principal_id, "S", created, default_schema_name=name, authentication_type=authentication)
        )
    rows.extend(_user_row(user) for user in state.users())
    rows.extend(
        _principal(name, role_id, "R", created, owning_principal_id=BUILTIN_USERS["dbo"], is_fixed_role=True)
        for name, role_id in FIXED_ROLES.items()
    )
    return rows


def role_member_rows(state: DatabaseState) -> list[Row]:
    return [{"role_principal_id": role, "member_principal_id": member} for role, member in state.role_members()]


def run_select(select: Select, tables: dict[str, list[Row]]) -> ResultSet:
    sources = [select.source, *(join.table for join in select.joins)]
    scope: dict[str, str] = {}  # alias -> table
    for table in sources:
        full_name = f"{table.schema}.{table.name}".lower()
        if full_name not in tables:
            raise TsqlError(208, f"Invalid object name '{table.schema}.{table.name}'.")
        if table.alias.lower() in scope:
            raise TsqlError(1011, f"The correlation name '{table.alias}' is specified multiple times in a FROM clause.")
        scope[table.alias.lower()] = full_name
    envs: list[Env] = [{select.source.alias.lower(): row} for row in tables[scope[select.source.alias.lower()]]]
    joined = {select.source.alias.lower()}
    for join in select.joins:
        alias = join.table.alias.lower()
        joined.add(alias)
        left, right = _bind(join.left, scope, joined), _bind(join.right, scope, joined)
        envs = [
            env | {alias: row}
            for env in envs
            for row in tables[scope[alias]]
            if _value(env | {alias: row}, left) == _value(env | {alias: row}, right)
        ]
    for predicate in select.where:
        bound = _bind(predicate.column, scope, joined)
        envs = [env for env in envs if _matches(_value(env, bound), predicate)]
    return _project(select.items, envs, scope)


def _bind(column: Column, scope: dict[str, str], visible: set[str]) -> tuple[str, str]:
    """(alias, column) a reference names, or SQL Server's 4104 / 207 / 209."""
    if column.qualifier is not None:
        alias = column.qualifier.lower()
        if alias not in visible:
            raise TsqlError(4104, f'The multi-part identifier "{column.text}" could not be bound.')
        if column.name.lower() not in COLUMNS[scope[alias]]:
            raise TsqlError(207, f"Invalid column name '{column.name}'.")
        return alias, column.name.lower()
    owners = [alias for alias in scope if alias in visible and column.name.lower() in COLUMNS[scope[alias]]]
    if not owners:
        raise TsqlError(207, f"Invalid column name '{column.name}'.")
    if len(owners) > 1:
        raise TsqlError(209, f"Ambiguous column name '{column.name}'.")
    return owners[0], column.name.lower()


def _value(env: Env, bound: tuple[str, str]) -> Any:
    alias, name = bound
    return env[alias][name]


def _matches(value: Any, predicate: Predicate) -> bool:
    """`=` / `IN` as SQL Server compares: strings case-insensitively (the default CI collation)."""
    if value is None:
        return False
    return any(str(value).lower() == str(_comparable(value, literal)).lower() for literal in predicate.values)


def _comparable(value: Any, literal: str | int) -> str | int:
    """A string literal compared with an int column converts to int, or fails as in SQL Server (245)."""
    if isinstance(value, int) and not isinstance(value, bool) and isinstance(literal, str):
        if not literal.strip().lstrip("-").isdigit():
            raise TsqlError(245, f"Conversion failed when converting the varchar value '{literal}' to data type int.")
        return int(literal)
    return literal


def _project(items: tuple[Item, ...] | None, envs: list[Env], scope: dict[str, str]) -> ResultSet:
    visible = set(scope)
    if items is None:
        bound = [(alias, name) for alias in scope for name in COLUMNS[scope[alias]]]
        rows = [[_value(env, pair) for pair in bound] for env in envs]
        return ResultSet([name for _, name in bound], rows, [COLUMN_TYPES[name] for _, name in bound])
    pairs = [(_bind(item.column, scope, visible), item) for item in items]
    columns = [item.alias or ("" if item.cast else item.column.name) for _, item in pairs]
    rows = [
        [_cast(_value(env, pair), pair[1]) if item.cast else _value(env, pair) for pair, item in pairs] for env in envs
    ]
    types: list[str | None] = [CAST_TYPE if item.cast else COLUMN_TYPES[pair[1]] for pair, item in pairs]
    return ResultSet(columns, rows, types)


def _cast(value: Any, column: str) -> str | None:
    """CAST(column AS UNIQUEIDENTIFIER): a sid's bytes back to the GUID, as SQL Server shows it."""
    if value is None:
        return None
    if column == "sid":
        raw = bytes(value)
        if len(raw) != 16:
            return None
        return str(uuid.UUID(bytes_le=raw)).upper()
    if isinstance(value, int) or column in NON_CHARACTER_TYPES:
        source = NON_CHARACTER_TYPES.get(column, "int")
        raise TsqlError(529, f"Explicit conversion from data type {source} to uniqueidentifier is not allowed.")
    try:
        return str(uuid.UUID(str(value))).upper()
    except ValueError as exc:
        raise TsqlError(8169, "Conversion failed when converting from a character string to uniqueidentifier.") from exc
