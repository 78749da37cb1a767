"""`${...}` references: parsing them out of strings, and the symbolic values they leave behind.

`${var.x}` and `${env.X}` are replaced while a scenario loads. A reference to a resource,
`${rg.name}`, `${vm.identity.principal_id}` or the whole resource `${vm}`, stays symbolic: a `Ref`
when it is the whole string, a `Template` when it is mixed with text. The engine resolves them
with the outputs of applied resources through `resolve`.

`${target.principal_id}`, `${target.tenant_id}` and `${target.subscription_id}` are references to
the pseudo-resource `target`: the principal provision signs in as, and its tenant and subscription.
They stay symbolic too, but `target` is no resource of the scenario and no dependency: it is known
as soon as a run has signed in, so the planner resolves it before it reads anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
TARGET = "target"
TARGET_EXPORTS = ("principal_id", "tenant_id", "subscription_id")
"""What `${target.*}` can name: the signed-in principal's object id, its tenant, the subscription."""
REFERENCE_PATTERN = r"^\$\{[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*\}$"


class ReferenceSyntaxError(ValueError):
    """A `${` that does not start a well-formed reference."""


@dataclass(frozen=True)
class Ref:
    """A reference to a resource (`attribute == ()`) or to one of its exported attributes."""

    resource: str
    attribute: tuple[str, ...] = ()

    @property
    def dotted(self) -> str:
        return ".".join(self.attribute)

    @property
    def is_target(self) -> bool:
        """A reference to the signed-in principal, its tenant or subscription (`${target.*}`)."""
        return self.resource == TARGET

    def __str__(self) -> str:
        return "${" + ".".join((self.resource, *self.attribute)) + "}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.is_instance_schema(cls)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "pattern": REFERENCE_PATTERN}


@dataclass(frozen=True)
class Template:
    """Text mixed with resource references, e.g. `${vnet.id}/subnets/default`."""

    parts: tuple[str | Ref, ...]

    def refs(self) -> set[Ref]:
        return {part for part in self.parts if isinstance(part, Ref)}

    def render(self, lookup: Callable[[Ref], Any]) -> str:
        return "".join(part if isinstance(part, str) else str(lookup(part)) for part in self.parts)

    def __str__(self) -> str:
        return "".join(part.replace("${", "$${") if isinstance(part, str) else str(part) for part in self.parts)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.is_instance_schema(cls)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string"}


Piece = str | tuple[str, ...]


def split_references(text: str) -> list[Piece]:
    """Split `text` into literal text and reference paths; `$${` is a literal `${`.

    `"${var.prefix}-rg"` gives `[("var", "prefix"), "-rg"]`. Raises ReferenceSyntaxError.
    """
    pieces: list[Piece] = []
    literal: list[str] = []
    position = 0
    while (start := text.find("${", position)) >= 0:
        if start > 0 and text[start - 1] == "$":
            literal.append(text[position : start - 1] + "${")
            position = start + 2
            continue
        end = text.find("}", start)
        if end < 0:
            raise ReferenceSyntaxError(f"unterminated reference '{text[start : start + 40]}': missing '}}'")
        literal.append(text[position:start])
        if "".join(literal):
            pieces.append("".join(literal))
        literal = []
        pieces.append(_parse_path(text[start + 2 : end]))
        position = end + 1
    literal.append(text[position:])
    if "".join(literal):
        pieces.append("".join(literal))
    return pieces


def _parse_path(expression: str) -> tuple[str, ...]:
    names = tuple(expression.split("."))
    if not all(NAME.fullmatch(name) for name in names):
        raise ReferenceSyntaxError(
            f"malformed reference '${{{expression}}}': expected names separated by dots, "
            "like ${var.name}, ${env.NAME} or ${resource.attribute}"
        )
    return names


def references_in(value: Any) -> set[Ref]:
    """Every resource reference inside `value` (nested containers and models included)."""
    if isinstance(value, Ref):
        return {value}
    if isinstance(value, Template):
        return value.refs()
    found: set[Ref] = set()
    for item in _children(value):
        found |= references_in(item)
    return found


def _children(value: Any) -> list[Any]:
    if isinstance(value, BaseModel):
        return [getattr(value, name) for name in type(value).model_fields]
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return []


def resolve(value: Any, lookup: Callable[[Ref], Any]) -> Any:
    """`value` with every reference replaced by `lookup(ref)`; templates become strings."""
    if isinstance(value, Ref):
        return lookup(value)
    if isinstance(value, Template):
        return value.render(lookup)
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return value.model_copy(update={name: resolve(getattr(value, name), lookup) for name in fields})
    if isinstance(value, Mapping):
        return {key: resolve(item, lookup) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolve(item, lookup) for item in value)
    return value
