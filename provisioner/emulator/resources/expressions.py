"""ARM template expressions: `[function(args).property[index]]` inside JSON strings.

A string that starts with `[` and ends with `]` is an expression (`[[` starts a literal `[`). The
grammar: string literals in single quotes (`''` escapes one), integers, `true`/`false`/`null`,
function calls, and `.name` / `[expr]` accessors on any value. Functions are looked up by name without
case in the `Scope` the caller gives (template_functions.py has a deployment's); an unknown one,
or bad syntax, is ARM's InvalidTemplate."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError

Function = Callable[..., Any]
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+)|(?P<name>[A-Za-z_][\w]*)|(?P<punct>[()\[\].,]))"
)


def invalid_template(message: str) -> CloudServiceError:
    return CloudServiceError(400, "InvalidTemplate", f"Deployment template validation failed: '{message}'.")


class Deferred:
    """A value only a deployment knows (`reference()` while validating): it absorbs every use."""

    def __repr__(self) -> str:
        return "Deferred()"


DEFERRED = Deferred()


@dataclass(frozen=True)
class Scope:
    functions: Mapping[str, Function]


def is_expression(value: str) -> bool:
    return value.startswith("[") and value.endswith("]") and not value.startswith("[[")


def evaluate_value(value: Any, scope: Scope) -> Any:
    """Every expression in a JSON value evaluated (objects and arrays walked), literals kept."""
    if isinstance(value, str):
        if is_expression(value):
            return evaluate(value[1:-1], scope)
        return value[1:] if value.startswith("[[") else value
    if isinstance(value, dict):
        return {key: evaluate_value(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate_value(item, scope) for item in value]
    return value


def evaluate(text: str, scope: Scope) -> Any:
    parser = _Parser(text, scope)
    result = parser.expression()
    parser.expect_end()
    return result


class _Parser:
    """Evaluates while it parses (templates are small; nothing is kept between expressions)."""

    def __init__(self, text: str, scope: Scope) -> None:
        self.text = text
        self.scope = scope
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise invalid_template(f"The template language expression '{self.text}' ends unexpectedly")
        self.position += 1
        return token

    def expect(self, punct: str) -> None:
        kind, value = self.take()
        if (kind, value) != ("punct", punct):
            raise invalid_template(f"The template language expression '{self.text}' expected '{punct}', not '{value}'")

    def expect_end(self) -> None:
        if self.peek() is not None:
            raise invalid_template(f"The template language expression '{self.text}' is not valid")

    def expression(self) -> Any:
        value = self.primary()
        while (token := self.peek()) is not None and token in (("punct", "."), ("punct", "[")):
            self.take()
            if token[1] == ".":
                kind, name = self.take()
                if kind != "name":
                    raise invalid_template(f"The template language expression '{self.text}' is not valid")
                value = member(value, name, self.text)
            else:
                value = member(value, self.expression(), self.text)
                self.expect("]")
        return value

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind == "number":
            return int(value)
        if kind != "name":
            raise invalid_template(f"The template language expression '{self.text}' is not valid")
        literal = {"true": True, "false": False, "null": None}
        if value.lower() in literal and self.peek() != ("punct", "("):
            return literal[value.lower()]
        self.expect("(")
        arguments: list[Any] = []
        if self.peek() != ("punct", ")"):
            arguments.append(self.expression())
            while self.peek() == ("punct", ","):
                self.take()
                arguments.append(self.expression())
        self.expect(")")
        return self.call(value, arguments)

    def call(self, name: str, arguments: list[Any]) -> Any:
        function = self.scope.functions.get(name.lower())
        if function is None:
            raise invalid_template(
                f"The template function '{name}' is not valid. "
                "Please see https://aka.ms/arm-functions for usage details"
            )
        if any(isinstance(argument, Deferred) for argument in arguments) and name.lower() != "reference":
            return DEFERRED
        try:
            return function(*arguments)
        except TypeError as exc:
            raise invalid_template(f"The template function '{name}' was called with invalid arguments: {exc}") from exc


def member(value: Any, key: Any, text: str) -> Any:
    """`value.key` / `value[key]`: object properties without case (as ARM), array items by index."""
    if isinstance(value, Deferred) or isinstance(key, Deferred):
        return DEFERRED
    if isinstance(value, dict) and isinstance(key, str):
        for name, item in value.items():
            if name.lower() == key.lower():
                return item
        raise invalid_template(
            f"The language expression property '{key}' doesn't exist, available properties are "
            f"'{', '.join(value)}' (in '{text}')"
        )
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        if 0 <= key < len(value):
            return value[key]
        raise invalid_template(f"The language expression property array index '{key}' is out of bounds (in '{text}')")
    raise invalid_template(f"The language expression '{text}' cannot access '{key}' on a {type(value).__name__}")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None or found.lastgroup is None:
            raise invalid_template(f"The template language expression '{text}' is not valid: unexpected character")
        tokens.append((found.lastgroup, found.group(found.lastgroup)))
        position = found.end()
    return tokens
