"""The MySQL statements the local MySQL listener understands, tokenized by MySQL's lexical rules: string
literals in '...' or "..." (a doubled quote or a backslash escape inside), identifiers bare or in
`...` (a doubled backtick inside), `user`@`host` accounts. Anything else is 1064 in MySQL's words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mysql_mimic.errors import ErrorCode, MysqlError

MAX_STATEMENT = 65536
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_WORD = re.compile(r"[A-Za-z0-9_$]")
_PUNCTUATION = "(),;*=%@."

TokenKind = Literal["word", "string", "ident", "punct"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    position: int


def syntax_error(text: str, position: int) -> MysqlError:
    near = text[position : position + 80]
    return MysqlError(
        "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version "
        f"for the right syntax to use near '{near}' at line 1",
        ErrorCode.PARSE_ERROR,
    )


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_STATEMENT:
        raise syntax_error(text, MAX_STATEMENT)
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in "'\"":
            value, end = _quoted(text, index, char, backslash=True)
            tokens.append(Token("string", value, index))
            index = end
        elif char == "`":
            value, end = _quoted(text, index, "`", backslash=False)
            tokens.append(Token("ident", value, index))
            index = end
        elif char in _PUNCTUATION:
            tokens.append(Token("punct", char, index))
            index += 1
        elif _WORD.match(char):
            start = index
            while index < len(text) and _WORD.match(text[index]):
                index += 1
            tokens.append(Token("word", text[start:index], start))
        else:
            raise syntax_error(text, index)
    return tokens


def _quoted(text: str, start: int, quote: str, *, backslash: bool) -> tuple[str, int]:
    out: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if backslash and char == "\\" and index + 1 < len(text):
            out.append(_ESCAPES.get(text[index + 1], text[index + 1]))
            index += 2
        elif char == quote and text[index + 1 : index + 2] == quote:
            out.append(quote)
            index += 2
        elif char == quote:
            return "".join(out), index + 1
        else:
            out.append(char)
            index += 1
    raise syntax_error(text, start)


class Cursor:
    """Reads tokens in order; `expect` raises 1064 near the token it did not like."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        while self.tokens and self.tokens[-1].text == ";" and self.tokens[-1].kind == "punct":
            self.tokens.pop()
        self.index = 0

    def peek(self, offset: int = 0) -> Token | None:
        position = self.index + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def error(self) -> MysqlError:
        token = self.peek()
        return syntax_error(self.text, token.position if token else len(self.text))

    def keyword(self, *words: str) -> bool:
        """Consume the keywords if they come next (any case)."""
        for offset, word in enumerate(words):
            token = self.peek(offset)
            if token is None or token.kind != "word" or token.text.upper() != word:
                return False
        self.index += len(words)
        return True

    def expect(self, *words: str) -> None:
        if not self.keyword(*words):
            raise self.error()

    def punct(self, char: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == char:
            self.index += 1
            return True
        return False

    def name(self) -> str:
        """An identifier (bare or quoted) or a string literal."""
        token = self.peek()
        if token is None or token.kind == "punct":
            raise self.error()
        self.index += 1
        return token.text

    def string(self) -> str:
        token = self.peek()
        if token is None or token.kind != "string":
            raise self.error()
        self.index += 1
        return token.text

    def account(self) -> str:
        """`'user'@'host'` or `'user'`: the user (hosts are all `%` on the local server)."""
        user = self.name()
        if self.punct("@"):
            self.punct("%") or self.name()
        return user

    def done(self) -> bool:
        return self.index >= len(self.tokens)

    def end(self) -> None:
        if not self.done():
            raise self.error()
