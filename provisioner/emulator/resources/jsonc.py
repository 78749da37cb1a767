"""The lenient JSON ARM reads deployment bodies in: `//` and `/* */` comments, and property names
without quotes. az relies on both: it sends a template file's own text spliced in unquoted
(`{"properties": {...}, template:{...}}`) so the template keeps its comments and whitespace."""

from __future__ import annotations

import json
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$")


def loads(data: bytes) -> Any:
    try:
        return json.loads(_normalized(data.decode("utf-8-sig")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CloudServiceError(
            400, "InvalidRequestContent", f"The request content was invalid and could not be deserialized: {exc}"
        ) from exc


def _normalized(text: str) -> str:
    """Strict JSON: comments dropped, bare property names quoted; strings copied untouched."""
    out: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == '"':
            end = _string_end(text, index)
            out.append(text[index:end])
            index = end
        elif text.startswith("//", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
        elif text.startswith("/*", index):
            close = text.find("*/", index + 2)
            if close < 0:
                raise ValueError("unterminated comment")
            index = close + 2
        elif char in _NAME_START:
            end = index
            while end < length and (text[end].isalnum() or text[end] in "_$"):
                end += 1
            word = text[index:end]
            rest = text[end:].lstrip()
            out.append(json.dumps(word) if rest.startswith(":") else word)
            index = end
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index + 1
        index += 1
    raise ValueError("unterminated string")
