"""Pydantic validation whose errors become diagnostics at the place they stand in the file."""

from __future__ import annotations

import re
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import ErrorDetails

from provisioner.language.references import Ref, Template
from provisioner.language.suggestions import did_you_mean
from provisioner.scenario.diagnostics import UNRESOLVED
from provisioner.scenario.yamlsource import Path, Source

M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "is_instance_of": "a reference such as ${name}",
}


def describe(value: Any) -> str:
    """What kind of value `value` is, without saying the value (it may be a secret)."""
    if isinstance(value, Ref | Template):
        return "a resource reference"
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list"}
    names |= {dict: "a mapping", type(None): "null", SecretStr: "a secret"}
    return names.get(type(value), "a value")


def validate(model: type[M], data: dict[str, Any], source: Source, base: Path, subject: str) -> M | None:
    """`data` (found at `base` in the document) as a `model`, or None after reporting why not."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["input"] is not UNRESOLVED:
                path = _data_path(error["loc"], data)
                where, key, message, hint = _explain(error, path, model, subject)
                source.error(base + where, message, hint, key=key)
        return None


def _explain(
    error: ErrorDetails, path: Path, model: type[BaseModel], subject: str
) -> tuple[Path, bool, str, str | None]:
    """Where to report `error` (a path, and whether at its key), the message and a hint."""
    dotted, kind, value = _dotted(path), error["type"], error["input"]
    if kind == "extra_forbidden":
        hint = did_you_mean(str(path[-1]), field_names(model))
        return path, True, f"unknown attribute '{dotted}' of {subject}", hint
    if kind == "missing":
        return path[:-1], True, f"missing required attribute '{dotted}' of {subject}", None
    if kind in _EXPECTED and isinstance(value, Ref | Template):
        hint = "its value must be known before apply: use a literal or a variable"
        return path, False, f"'{dotted}' cannot take a resource reference such as {value}", hint
    if kind in _EXPECTED:
        return path, False, f"'{dotted}' must be {_EXPECTED[kind]}, not {describe(value)}", None
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected)
        suggestion = did_you_mean(value, choices) if isinstance(value, str) else None
        return path, False, f"'{dotted}' must be {expected}", suggestion
    if kind == "too_short":
        return path, False, f"'{dotted}' must have at least {error.get('ctx', {}).get('min_length')} item", None
    message = error["msg"].removeprefix("Value error, ")
    return path, False, f"'{dotted}': {message[:1].lower()}{message[1:]}", None


def _data_path(loc: tuple[int | str, ...], data: Any) -> Path:
    """The error's location as a path in `data`, without pydantic's union member tags."""
    path: list[str | int] = []
    node = data
    for index, item in enumerate(loc):
        if (isinstance(node, dict) and item in node) or _is_index(node, item):
            path.append(item)
            node = node[item]
        elif index == len(loc) - 1 and isinstance(node, dict):
            path.append(item)  # a missing key
    return tuple(path)


def _is_index(node: Any, item: int | str) -> bool:
    return isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node)


def _dotted(path: Path) -> str:
    text = ""
    for item in path:
        text += f"[{item}]" if isinstance(item, int) else f".{item}"
    return text.removeprefix(".")


def field_names(model: type[BaseModel]) -> set[str]:
    """Names of the fields of `model` and of the models nested in it (for did-you-mean)."""
    names = set(model.model_fields)
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            names |= field_names(inner)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]
