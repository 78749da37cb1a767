"""Attributes that hold a principal's object id, and the principal type inferred from them."""

from __future__ import annotations

from typing import Any

from provisioner.kinds.base import PrincipalType, is_literal_guid
from provisioner.language.references import TARGET, Ref
from provisioner.language.suggestions import join_words
from provisioner.scenario.resources import Parsed
from provisioner.scenario.yamlsource import Path, Source

EXAMPLE = "${vm.identity.principal_id}"
TARGET_PRINCIPAL = "principal_id"


def infer_principal_types(parsed: dict[str, Parsed], source: Source) -> None:
    """Checks every principal attribute and fills the principal type into specs that omit it."""
    for name, resource in parsed.items():
        field, spec = resource.kind.principal, resource.spec
        if field is None or spec is None:
            continue
        path: Path = ("resources", name, field.attribute)
        value = getattr(spec, field.attribute)
        principal_type = _principal_type(value, path, parsed, source)
        if field.type_attribute is None:
            continue
        given = getattr(spec, field.type_attribute)
        if principal_type is None:
            if given is None and is_literal_guid(value):
                choices = join_words(sorted(set(field.type_names.values())), "or")
                message = f"set '{field.type_attribute}' ({choices}): it cannot be inferred from a literal id"
                source.error(path, message)
            continue
        expected = field.type_names[principal_type]
        if given is None:
            resource.spec = spec.model_copy(update={field.type_attribute: expected})
        elif given != expected:
            message = f"'{field.type_attribute}' is {given}, but {value} is a {expected}"
            source.error(("resources", name, field.type_attribute), message)


def _principal_type(value: Any, path: Path, parsed: dict[str, Parsed], source: Source) -> PrincipalType | None:
    """The type of principal `value` refers to; None for a literal GUID, `${target.principal_id}`
    (whoever signs in), or after an error."""
    attribute = path[-1]
    if isinstance(value, Ref) and value.is_target:
        if value.dotted != TARGET_PRINCIPAL:
            hint = f"use ${{{TARGET}.{TARGET_PRINCIPAL}}}"
            source.error(path, f"'{attribute}' must be a principal's object id, and {value} is not", hint)
        return None  # a user or a service principal, whoever signs in: Azure knows which
    if isinstance(value, Ref):
        target = parsed.get(value.resource)
        if target is None or value.dotted not in target.kind.exports:
            return None  # reported as a bad reference
        principal_type = target.kind.principal_exports.get(value.dotted)
        if principal_type is None:
            source.error(path, f"'{attribute}' must be a principal's object id, and {value} is not", _hint(target))
        return principal_type
    if not is_literal_guid(value):
        source.error(path, f"'{attribute}' must be an object id (a GUID) or a reference such as {EXAMPLE}")
    return None


def _hint(target: Parsed) -> str:
    exports = list(target.kind.principal_exports)
    if not exports:
        return f"a {target.kind.name} is not a principal"
    return f"use ${{{target.name}.{exports[0]}}}"
