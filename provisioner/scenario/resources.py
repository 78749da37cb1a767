"""The resources of a scenario: kind, `existing`, `depends_on`, and typed attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from provisioner.kinds import KINDS
from provisioner.kinds.base import KindInfo, Spec
from provisioner.language.references import TARGET
from provisioner.language.suggestions import did_you_mean, join_words
from provisioner.scenario.diagnostics import UNRESOLVED, SourceLocation
from provisioner.scenario.interpolate import Interpolator
from provisioner.scenario.validation import validate
from provisioner.scenario.yamlsource import Path, Source

COMMON = ("kind", "existing", "depends_on")
RESOURCE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
RESERVED = frozenset({"var", "env", TARGET})
EXISTING_HINT = "an existing resource is only read; remove it, or remove 'existing: true' to create the resource"


@dataclass
class Parsed:
    """A resource whose kind is known; `spec` is None when its attributes did not validate."""

    name: str
    kind: KindInfo[Any]
    existing: bool
    spec: Spec | None
    depends_on: dict[str, Path]
    """Explicit dependencies, with where each is written."""
    location: SourceLocation


def parse_resources(source: Source, interpolator: Interpolator) -> dict[str, Parsed]:
    resources = source.document.data.get("resources")
    if not isinstance(resources, dict):
        return {}
    parsed = {}
    for name, body in resources.items():
        resource = _parse(name, body, source, interpolator)
        if resource is not None:
            parsed[name] = resource
    return parsed


def _parse(name: str, body: Any, source: Source, interpolator: Interpolator) -> Parsed | None:
    path: Path = ("resources", name)
    kind = _kind(name, body, source)
    if kind is None:
        return None
    existing = interpolator.value(body.get("existing", False), (*path, "existing"), resources=False)
    if not isinstance(existing, bool):
        source.error((*path, "existing"), "'existing' must be true or false")
        existing = False
    attributes = _attributes(name, kind, existing, body, source)
    values = {
        key: (interpolator.secret if key in kind.secrets else interpolator.value)(value, (*path, key))
        for key, value in attributes.items()
    }
    spec = validate(kind.spec, values, source, path, f"{kind.name} '{name}'")
    depends_on = _depends_on(body.get("depends_on", []), path, source)
    return Parsed(name, kind, existing, spec, depends_on, source.document.key_at(path))


def _kind(name: str, body: Any, source: Source) -> KindInfo[Any] | None:
    path: Path = ("resources", name)
    if not RESOURCE_NAME.fullmatch(name) or name in RESERVED:
        rule = "use letters, digits, '_' and '-', starting with a letter or '_'; not 'var', 'env' or 'target'"
        source.error(path, f"invalid resource name '{name}'", rule, key=True)
        return None
    if not isinstance(body, dict):
        source.error(path, f"resource '{name}' must be a mapping with a 'kind'")
        return None
    kind = body.get("kind")
    if kind is UNRESOLVED:
        return None
    if "kind" not in body:
        source.error(path, f"resource '{name}' has no 'kind'", key=True)
    elif not isinstance(kind, str) or kind not in KINDS:
        hint = did_you_mean(kind, KINDS) if isinstance(kind, str) else None
        source.error((*path, "kind"), f"unknown kind '{kind}'", hint)
    else:
        return KINDS[kind]
    return None


def _attributes(name: str, kind: KindInfo[Any], existing: bool, body: dict[str, Any], source: Source) -> dict[str, Any]:
    """The kind's attributes of `body`, after the rules on `existing` and required attributes."""
    path: Path = ("resources", name)
    attributes = {key: value for key, value in body.items() if key not in COMMON}
    if existing:
        for key in sorted(kind.create_only & attributes.keys()):
            message = f"'{key}' cannot be set on an existing {kind.name}"
            source.error((*path, key), message, EXISTING_HINT, key=True)
            del attributes[key]
        return attributes
    if not kind.creatable:
        source.error(path, f"{kind.name} '{name}' can only be read: set 'existing: true'", key=True)
    for key in sorted(kind.required - attributes.keys()):
        source.error(path, f"missing required attribute '{key}' of {kind.name} '{name}'", key=True)
    for group in kind.one_of:
        _exactly_one(group, attributes, path, f"{kind.name} '{name}'", source)
    return attributes


def _exactly_one(group: tuple[str, ...], attributes: dict[str, Any], path: Path, subject: str, source: Source) -> None:
    given = [key for key in group if attributes.get(key) is not None]
    choices = join_words([f"'{key}'" for key in group], "or")
    if not given:
        source.error(path, f"missing required attribute {choices} of {subject}", key=True)
    elif len(given) > 1:
        source.error((*path, given[1]), f"set either {choices}, not both", key=True)


def _depends_on(value: Any, path: Path, source: Source) -> dict[str, Path]:
    where: Path = (*path, "depends_on")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        source.error(where, "'depends_on' must be a list of resource names")
        return {}
    return {item: (*where, index) for index, item in enumerate(value)}
