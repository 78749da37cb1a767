"""`${...}` interpolation over a parsed document.

`${var.x}` and `${env.X}` are replaced by their values (a whole-string reference keeps the
value's type); references to resources become `Ref` or `Template` and are recorded with the
path they were written at, for the checks that follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from provisioner.language.references import (
    TARGET,
    TARGET_EXPORTS,
    Piece,
    Ref,
    ReferenceSyntaxError,
    Template,
    split_references,
)
from provisioner.language.suggestions import did_you_mean
from provisioner.scenario.diagnostics import UNRESOLVED, Unresolved
from provisioner.scenario.yamlsource import Path, Source

SECRET_HINT = "use ${env.NAME} or {generate: {length: N}}"


class Interpolator:
    """Interpolates values of one document, reporting every bad reference."""

    def __init__(self, source: Source, env: Mapping[str, str], variables: Mapping[str, Any] | None) -> None:
        self.source = source
        self.env = env
        self.variables = variables  # None: `${var.*}` is not allowed (in variable defaults)
        self.refs: list[tuple[Path, Ref]] = []
        self.env_used: dict[str, str] = {}

    def value(self, value: Any, path: Path, *, resources: bool = True) -> Any:
        if isinstance(value, str):
            return self._string(value, path, resources)
        if isinstance(value, dict):
            return {key: self.value(item, (*path, key), resources=resources) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, (*path, i), resources=resources) for i, item in enumerate(value)]
        return value

    def secret(self, value: Any, path: Path) -> Any:
        """A secret attribute: `${env.NAME}` (kept as SecretStr), or a mapping such as generate."""
        if not isinstance(value, str):
            return self.value(value, path, resources=False)
        pieces = self._split(value, path)
        if pieces is None:
            return UNRESOLVED
        if len(pieces) == 1 and isinstance(pieces[0], tuple) and pieces[0][0] == "env":
            text = self._env(pieces[0], path, secret=True)
            return text if text is UNRESOLVED else SecretStr(text)
        self.source.error(path, f"'{path[-1]}' must not be a literal secret", SECRET_HINT)
        return UNRESOLVED

    def _string(self, text: str, path: Path, resources: bool) -> Any:
        pieces = self._split(text, path)
        if pieces is None:
            return UNRESOLVED
        values = [self._piece(piece, path, resources) for piece in pieces]
        if any(value is UNRESOLVED for value in values):
            return UNRESOLVED
        if len(pieces) == 1 and isinstance(pieces[0], tuple):
            return values[0]
        return self._join(values, path)

    def _split(self, text: str, path: Path) -> list[Piece] | None:
        try:
            return split_references(text)
        except ReferenceSyntaxError as exc:
            self.source.error(path, str(exc))
            return None

    def _piece(self, piece: Piece, path: Path, resources: bool) -> Any:
        if isinstance(piece, str):
            return piece
        if piece[0] == "var":
            return self._variable(piece, path)
        if piece[0] == "env":
            return self._env(piece, path, secret=False)
        if not resources:
            what = "the target" if piece[0] == TARGET else "resources"
            message = f"{_text(piece)}: {what} cannot be referenced here, only ${{var.*}} and ${{env.*}}"
            self.source.error(path, message)
            return UNRESOLVED
        if piece[0] == TARGET and not self._target_ok(piece, path):
            return UNRESOLVED
        ref = Ref(piece[0], piece[1:])
        self.refs.append((path, ref))
        return ref

    def _target_ok(self, piece: tuple[str, ...], path: Path) -> bool:
        if len(piece) == 2 and piece[1] in TARGET_EXPORTS:
            return True
        listed = ", ".join(f"${{{TARGET}.{name}}}" for name in TARGET_EXPORTS)
        hint = did_you_mean(piece[1], TARGET_EXPORTS) if len(piece) == 2 else None
        self.source.error(path, f"unknown reference {_text(piece)}: the target offers {listed}", hint)
        return False

    def _variable(self, piece: tuple[str, ...], path: Path) -> Any:
        if self.variables is None:
            self.source.error(path, f"{_text(piece)}: a variable's default can only use ${{env.*}}")
            return UNRESOLVED
        if len(piece) != 2:
            self.source.error(path, f"malformed reference {_text(piece)}: use ${{var.NAME}}")
            return UNRESOLVED
        if piece[1] not in self.variables:
            hint = did_you_mean(piece[1], self.variables)
            self.source.error(path, f"unknown variable '{piece[1]}'", hint)
            return UNRESOLVED
        return self.variables[piece[1]]

    def _env(self, piece: tuple[str, ...], path: Path, *, secret: bool) -> Any:
        if len(piece) != 2:
            self.source.error(path, f"malformed reference {_text(piece)}: use ${{env.NAME}}")
            return UNRESOLVED
        if piece[1] not in self.env:
            self.source.error(path, f"environment variable '{piece[1]}' is not set")
            return UNRESOLVED
        if secret and not self.env[piece[1]]:
            hint = f"a secret cannot be empty: set {piece[1]} to the value"
            self.source.error(path, f"environment variable '{piece[1]}' is set but empty", hint)
            return UNRESOLVED
        if not secret:
            self.env_used[piece[1]] = self.env[piece[1]]
        return self.env[piece[1]]

    def _join(self, values: list[Any], path: Path) -> str | Template | Unresolved:
        parts: list[str | Ref] = []
        for value in values:
            if isinstance(value, list | dict):
                self.source.error(path, "a list or mapping cannot be part of a string")
                return UNRESOLVED
            text = value if isinstance(value, Ref) else _scalar_text(value)
            if parts and isinstance(parts[-1], str) and isinstance(text, str):
                parts[-1] += text
            else:
                parts.append(text)
        if all(isinstance(part, str) for part in parts):
            return "".join(str(part) for part in parts)
        return Template(tuple(parts))


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _text(piece: tuple[str, ...]) -> str:
    return "${" + ".".join(piece) + "}"
