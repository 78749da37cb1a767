"""SELECTs without FROM, of the few functions a client asks on connecting, evaluated for the caller:

    scalar_select := SELECT scalar [[AS] ident] {',' scalar [[AS] ident]} [';']
    scalar        := integer | string | DB_NAME '(' ')' | USER_NAME '(' ')' | SUSER_SNAME '(' ')'
                   | HAS_PERMS_BY_NAME '(' (DB_NAME '(' ')' | NULL | string) ',' 'DATABASE' ',' 'SELECT' ')'
                   | IS_ROLEMEMBER '(' string ')'

HAS_PERMS_BY_NAME answers 1 when the caller may SELECT in the database (the Entra admin, db_owner,
db_datareader, and not db_denydatareader), else 0. IS_ROLEMEMBER answers 1 when the caller is in that
fixed role (the admin is dbo, in db_owner), 0 when not, NULL for a role the database does not have.
SUSER_SNAME() is the login name Azure SQL gives a token's principal: a user's UPN, an application's
(so a managed identity's) `<client id>@<tenant id>`. USER_NAME() is dbo for the Entra admin, else the
contained user the login matched (its own, else its group's). A SELECT with FROM is left to tsql.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provisioner.emulator.sql.catalog import ResultSet
from provisioner.emulator.sql.principals import FIXED_ROLES, Caller
from provisioner.emulator.sql.tsql import Token, TsqlError, syntax_error, tokenize

FUNCTIONS = frozenset({"DB_NAME", "USER_NAME", "SUSER_SNAME", "HAS_PERMS_BY_NAME", "IS_ROLEMEMBER"})


@dataclass(frozen=True)
class Context:
    database: str
    caller: Caller


def is_scalar_select(text: str) -> bool:
    words = [token.value.upper() for token in tokenize(text) if token.kind == "word"]
    return bool(words) and words[0] == "SELECT" and "FROM" not in words


def run_scalar_select(text: str, context: Context) -> ResultSet:
    tokens = [token for token in tokenize(text) if token.kind != "end"]
    if tokens and tokens[-1].raw == ";":
        tokens.pop()
    position = 1
    columns: list[str] = []
    values: list[Any] = []
    types: list[str | None] = []
    while True:
        types.append(_declared(_at(tokens, position)))
        value, position = _scalar(tokens, position, context)
        alias, position = _alias(tokens, position)
        columns.append(alias)
        values.append(value)
        if position == len(tokens):
            return ResultSet(columns, [values], types)
        if tokens[position].raw != ",":
            raise syntax_error(tokens[position].raw)
        position += 1


def _declared(token: Token) -> str | None:
    """The SQL type of the scalar starting at `token`, as SQL Server types it (None: from its value)."""
    name = token.value.upper() if token.kind == "word" else ""
    if token.kind == "number" or name in ("HAS_PERMS_BY_NAME", "IS_ROLEMEMBER"):
        return "int"
    return "nvarchar(128)" if name in ("DB_NAME", "USER_NAME", "SUSER_SNAME") else None


def _at(tokens: list[Token], position: int) -> Token:
    if position >= len(tokens):
        raise TsqlError(102, "Incorrect syntax near the end of the batch.", level=15)
    return tokens[position]


def _alias(tokens: list[Token], position: int) -> tuple[str, int]:
    if position < len(tokens) and tokens[position].value.upper() == "AS":
        position += 1
        return _at(tokens, position).value, position + 1
    if position < len(tokens) and tokens[position].kind in ("ident", "word"):
        return tokens[position].value, position + 1
    return "", position


def _expect(tokens: list[Token], position: int, raw: str) -> int:
    if _at(tokens, position).raw.upper() != raw:
        raise syntax_error(_at(tokens, position).raw)
    return position + 1


def _scalar(tokens: list[Token], position: int, context: Context) -> tuple[Any, int]:
    token = _at(tokens, position)
    if token.kind == "number":
        return int(token.value), position + 1
    if token.kind == "string":
        return token.value, position + 1
    name = token.value.upper()
    if token.kind == "word" and name == "NULL":
        return None, position + 1
    if token.kind != "word" or name not in FUNCTIONS:
        raise syntax_error(token.raw)
    position = _expect(tokens, position + 1, "(")
    if name == "HAS_PERMS_BY_NAME":
        return _has_perms(tokens, position, context)
    if name == "IS_ROLEMEMBER":
        return _is_role_member(tokens, position, context)
    position = _expect(tokens, position, ")")
    if name == "SUSER_SNAME":
        return context.caller.login, position
    return (context.database if name == "DB_NAME" else _user_name(context.caller)), position


def _user_name(caller: Caller) -> str:
    return "dbo" if caller.is_admin or not caller.users else caller.users[0].name


def _has_perms(tokens: list[Token], position: int, context: Context) -> tuple[Any, int]:
    securable, position = _scalar(tokens, position, context)
    if securable not in (None, context.database):
        return None, _skip_call(tokens, position)
    arguments: list[str] = []
    for _ in range(2):
        position = _expect(tokens, position, ",")
        argument = _at(tokens, position)
        if argument.kind != "string":
            raise syntax_error(argument.raw)
        arguments.append(argument.value.upper())
        position += 1
    if arguments != ["DATABASE", "SELECT"]:
        raise syntax_error(f"'{arguments[-1]}'")
    return (1 if context.caller.can_read else 0), _expect(tokens, position, ")")


def _is_role_member(tokens: list[Token], position: int, context: Context) -> tuple[Any, int]:
    role = _at(tokens, position)
    if role.kind != "string":
        raise syntax_error(role.raw)
    answer = None if role.value.lower() not in FIXED_ROLES else int(role.value.lower() in context.caller.roles)
    return answer, _expect(tokens, position + 1, ")")


def _skip_call(tokens: list[Token], position: int) -> int:
    while _at(tokens, position).raw != ")":
        position += 1
    return position + 1
