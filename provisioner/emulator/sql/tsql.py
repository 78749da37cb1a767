"""The T-SQL the database endpoint accepts, and nothing more: a tokenizer and a recursive-descent parser.

Grammar (keywords case-insensitive; an identifier is regular, `[A-Za-z_@#][A-Za-z0-9_@#$]*`, or
bracketed, `[...]` with `]]` for `]`; one statement per request, optionally ending in `;`; `--`
comments and any whitespace between tokens):

    statement   := create_user | drop_user | alter_role | select
    create_user := CREATE USER ident FROM EXTERNAL PROVIDER [WITH OBJECT_ID = string]
    drop_user   := DROP USER [IF EXISTS] ident
    alter_role  := ALTER ROLE ident (ADD | DROP) MEMBER ident
    select      := SELECT ('*' | item {',' item}) FROM table
                   {[INNER] JOIN table ON column '=' column}
                   [WHERE predicate {AND predicate}]
    item        := (column | CAST '(' column AS UNIQUEIDENTIFIER ')') [[AS] ident]
    table       := ident '.' ident [[AS] ident]      (sys.database_principals, sys.database_role_members)
    column      := ident ['.' ident]
    predicate   := column '=' literal | column IN '(' literal {',' literal} ')'
    literal     := [N]'...' ('' for ') | integer

Anything else is refused with SQL Server's Msg 102 (or 105 for an unclosed quotation mark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RESERVED = frozenset(
    {
        "ADD", "ALTER", "AND", "AS", "BY", "CAST", "CREATE", "CROSS", "DROP", "EXISTS", "EXTERNAL", "FROM",
        "FULL", "GROUP", "IF", "IN", "INNER", "JOIN", "LEFT", "NOT", "NULL", "ON", "OR", "ORDER", "OUTER",
        "RIGHT", "SELECT", "UNION", "USER", "WHERE", "WITH",
    }
)  # fmt: skip
_TOKEN = re.compile(
    r"(?P<space>\s+|--[^\n]*)"
    r"|(?P<ident>\[(?:[^\]]|\]\])*\])"
    r"|(?P<string>[Nn]?'(?:[^']|'')*')"
    r"|(?P<word>(?:[^\W\d]|[@#])[\w@#$]*)"
    r"|(?P<number>\d+)"
    r"|(?P<symbol>[,.()=*;])"
)


class TsqlError(Exception):
    """A statement SQL Server would refuse: its error number, severity (level), state and message."""

    def __init__(self, number: int, message: str, *, level: int = 16, state: int = 1) -> None:
        super().__init__(f"Msg {number}, Level {level}, State {state}: {message}")
        self.number = number
        self.message = message
        self.level = level
        self.state = state


def syntax_error(near: str) -> TsqlError:
    return TsqlError(102, f"Incorrect syntax near '{near}'.", level=15)


@dataclass(frozen=True)
class Token:
    kind: str  # word | ident | string | number | symbol | end
    value: str  # identifiers and strings unescaped
    raw: str


@dataclass(frozen=True)
class CreateUser:
    name: str
    object_id: str | None


@dataclass(frozen=True)
class DropUser:
    name: str
    if_exists: bool


@dataclass(frozen=True)
class AlterRole:
    role: str
    add: bool
    member: str


@dataclass(frozen=True)
class Column:
    qualifier: str | None
    name: str

    @property
    def text(self) -> str:
        return f"{self.qualifier}.{self.name}" if self.qualifier else self.name


@dataclass(frozen=True)
class Item:
    column: Column
    cast: bool
    alias: str | None


@dataclass(frozen=True)
class TableRef:
    schema: str
    name: str
    alias: str


@dataclass(frozen=True)
class Join:
    table: TableRef
    left: Column
    right: Column


@dataclass(frozen=True)
class Predicate:
    column: Column
    values: tuple[str | int, ...]


@dataclass(frozen=True)
class Select:
    items: tuple[Item, ...] | None  # None for `*`
    source: TableRef
    joins: tuple[Join, ...]
    where: tuple[Predicate, ...]


Statement = CreateUser | DropUser | AlterRole | Select


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _unreadable(text[position:])
        position = match.end()
        kind = match.lastgroup or "space"
        if kind != "space":
            tokens.append(Token(kind, _unescape(kind, match.group()), match.group()))
    tokens.append(Token("end", "", ""))
    return tokens


def _unreadable(rest: str) -> TsqlError:
    opening = 2 if rest[:2].upper() == "N'" else 1
    if rest[:1] in ("'", "[") or opening == 2:
        return TsqlError(105, f"Unclosed quotation mark after the character string '{rest[opening:]}'.", level=15)
    return syntax_error(rest.split(maxsplit=1)[0])


def _unescape(kind: str, raw: str) -> str:
    if kind == "ident":
        return raw[1:-1].replace("]]", "]")
    if kind == "string":
        return raw[raw.index("'") + 1 : -1].replace("''", "'")
    return raw


def parse(text: str) -> Statement:
    parser = _Parser(tokenize(text))
    statement = parser.statement()
    parser.accept_symbol(";")
    parser.expect_end()
    return statement


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.position = 0

    # ---- token handling -----------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        self.position = min(self.position + 1, len(self.tokens) - 1)
        return token

    def error(self) -> TsqlError:
        token = self.peek()
        if token.kind == "end" and self.position > 0:
            token = self.tokens[self.position - 1]
        return syntax_error(token.value if token.kind in ("ident", "string") else token.raw)

    def at_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.value.upper() in words

    def accept(self, word: str) -> bool:
        if self.at_keyword(word):
            self.advance()
            return True
        return False

    def expect(self, *words: str) -> None:
        for word in words:
            if not self.accept(word):
                raise self.error()

    def accept_symbol(self, symbol: str) -> bool:
        token = self.peek()
        if token.kind == "symbol" and token.value == symbol:
            self.advance()
            return True
        return False

    def expect_symbol(self, symbol: str) -> None:
        if not self.accept_symbol(symbol):
            raise self.error()

    def expect_end(self) -> None:
        if self.peek().kind != "end":
            raise self.error()

    def identifier(self) -> str:
        token = self.peek()
        if token.kind == "ident" or (token.kind == "word" and token.value.upper() not in RESERVED):
            return self.advance().value
        raise self.error()

    def string(self) -> str:
        if self.peek().kind != "string":
            raise self.error()
        return self.advance().value

    def literal(self) -> str | int:
        if self.peek().kind == "number":
            return int(self.advance().value)
        return self.string()

    # ---- statements ---------------------------------------------------------------------

    def statement(self) -> Statement:
        for keyword, parse_rest in (
            ("CREATE", self.create_user),
            ("DROP", self.drop_user),
            ("ALTER", self.alter_role),
            ("SELECT", self.select),
        ):
            if self.accept(keyword):
                return parse_rest()
        raise self.error()

    def create_user(self) -> CreateUser:
        self.expect("USER")
        name = self.identifier()
        self.expect("FROM", "EXTERNAL", "PROVIDER")
        object_id = None
        if self.accept("WITH"):
            self.expect("OBJECT_ID")
            self.expect_symbol("=")
            object_id = self.string()
        return CreateUser(name, object_id)

    def drop_user(self) -> DropUser:
        self.expect("USER")
        if_exists = self.accept("IF")
        if if_exists:
            self.expect("EXISTS")
        return DropUser(self.identifier(), if_exists)

    def alter_role(self) -> AlterRole:
        self.expect("ROLE")
        role = self.identifier()
        add = self.accept("ADD")
        if not add:
            self.expect("DROP")
        self.expect("MEMBER")
        return AlterRole(role, add, self.identifier())

    def select(self) -> Select:
        items = None if self.accept_symbol("*") else self.items()
        self.expect("FROM")
        source = self.table()
        joins: list[Join] = []
        while self.at_keyword("JOIN", "INNER"):
            self.accept("INNER")
            self.expect("JOIN")
            table = self.table()
            self.expect("ON")
            left = self.column()
            self.expect_symbol("=")
            joins.append(Join(table, left, self.column()))
        where = self.predicates() if self.accept("WHERE") else ()
        return Select(items, source, tuple(joins), where)

    # ---- parts of a SELECT --------------------------------------------------------------

    def items(self) -> tuple[Item, ...]:
        items = [self.item()]
        while self.accept_symbol(","):
            items.append(self.item())
        return tuple(items)

    def item(self) -> Item:
        cast = self.accept("CAST")
        if cast:
            self.expect_symbol("(")
            column = self.column()
            self.expect("AS", "UNIQUEIDENTIFIER")
            self.expect_symbol(")")
        else:
            column = self.column()
        return Item(column, cast, self.alias())

    def alias(self) -> str | None:
        if self.accept("AS"):
            return self.identifier()
        token = self.peek()
        if token.kind == "ident" or (token.kind == "word" and token.value.upper() not in RESERVED):
            return self.identifier()
        return None

    def table(self) -> TableRef:
        schema = self.identifier()
        self.expect_symbol(".")
        name = self.identifier()
        return TableRef(schema, name, self.alias() or name)

    def column(self) -> Column:
        first = self.identifier()
        if self.accept_symbol("."):
            return Column(first, self.identifier())
        return Column(None, first)

    def predicates(self) -> tuple[Predicate, ...]:
        predicates = [self.predicate()]
        while self.accept("AND"):
            predicates.append(self.predicate())
        return tuple(predicates)

    def predicate(self) -> Predicate:
        column = self.column()
        if self.accept_symbol("="):
            return Predicate(column, (self.literal(),))
        if not self.accept("IN"):
            raise self.error()
        self.expect_symbol("(")
        values = [self.literal()]
        while self.accept_symbol(","):
            values.append(self.literal())
        self.expect_symbol(")")
        return Predicate(column, tuple(values))
