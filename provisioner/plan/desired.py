"""From a scenario resource to the `Desired` value a provider sees: references resolved, secrets apart.

Secrets follow one rule, shared with the providers: a secret from `${env.X}` is always in
`Desired.secrets`; a generated secret (`{generate: {length: N}}`) is made only for a create (or
the create half of a replace) and is otherwise absent. A provider neither compares nor sends a
secret that is absent, so a generated value is set once, never stored by provision (not even in
the state), and lives only where Azure keeps it (e.g. the vault a key_vault_secret is written to).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from pydantic import BaseModel, SecretStr

from provisioner.kinds import KINDS
from provisioner.kinds.base import Generated, Spec
from provisioner.language.references import TARGET, TARGET_EXPORTS
from provisioner.plan.values import lookup_path
from provisioner.providers.base import UNKNOWN, CloudClients, Desired, plain
from provisioner.scenario import Ref, Resource, Template, resolve

S = TypeVar("S", bound=Spec)

TAG_SCENARIO = "provision-scenario"
TAG_DEPLOYMENT = "provision-deployment"
# Characters of generated secrets: each class at least once satisfies Azure's password rules.
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%*+-.:=?@_~")


def spec_values(resource: Resource) -> dict[str, Any]:
    """The resource's attributes as plain data, references still symbolic, secrets left out."""
    excluded = KINDS[resource.kind].secrets
    spec = resource.spec
    return {name: plain(getattr(spec, name)) for name in type(spec).model_fields if name not in excluded}


def secret_fields(resource: Resource) -> dict[str, SecretStr | Generated]:
    """The secret attributes the scenario sets on this resource."""
    spec = resource.spec
    found = {name: getattr(spec, name, None) for name in sorted(KINDS[resource.kind].secrets)}
    return {name: value for name, value in found.items() if isinstance(value, SecretStr | Generated)}


def generate_secret(length: int) -> str:
    """A random value with lower and upper case letters, digits and symbols."""
    alphabet = "".join(_CLASSES)
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(char in chars for char in value) for chars in _CLASSES):
            return value


def resolved_secrets(resource: Resource, *, generate: bool) -> dict[str, str]:
    """Secret values for one step: env values always, generated ones only when `generate`."""
    values: dict[str, str] = {}
    for name, value in secret_fields(resource).items():
        if isinstance(value, SecretStr):
            values[name] = value.get_secret_value()
        elif generate:
            values[name] = generate_secret(value.generate.length)
    return values


class TargetExports(Mapping[str, Any]):
    """`${target.*}`: the principal a run signs in as, its tenant and its subscription.

    Sits in the exports table under `target` (a name no resource can have). The principal's id is
    asked of the credential only when a scenario refers to it.
    """

    def __init__(self, clients: CloudClients) -> None:
        self._clients = clients

    def __getitem__(self, name: str) -> Any:
        if name not in TARGET_EXPORTS:
            raise KeyError(name)
        return getattr(self._clients, name)

    def __iter__(self) -> Iterator[str]:
        return iter(TARGET_EXPORTS)

    def __len__(self) -> int:
        return len(TARGET_EXPORTS)


def with_target(table: Mapping[str, Mapping[str, Any]], clients: CloudClients) -> dict[str, Mapping[str, Any]]:
    """The exports table of resources plus the target's, for resolving `${target.*}`."""
    return {**table, TARGET: TargetExports(clients)}


@dataclass(frozen=True)
class Exports:
    """The exported attributes known so far, per resource address (UNKNOWN where not yet known)."""

    table: Mapping[str, Mapping[str, Any]]

    def lookup(self, ref: Ref) -> Any:
        exports = self.table.get(ref.resource)
        if exports is None:
            return UNKNOWN
        return lookup_path(exports, ref.dotted or "id")


def build_desired(
    resource: Resource,
    lookup: Callable[[Ref], Any],
    *,
    tags: Mapping[str, str],
    secret_values: Mapping[str, str] | None = None,
) -> Desired[Any]:
    return Desired(
        address=resource.name,
        kind=resource.kind,
        existing=resource.existing,
        spec=resolved_spec(resource.spec, lookup, KINDS[resource.kind].secrets),
        secrets=dict(secret_values or {}),
        tags=dict(tags),
    )


def resolved_spec(spec: S, lookup: Callable[[Ref], Any], secrets: frozenset[str] = frozenset()) -> S:
    """The spec with every reference resolved (UNKNOWN where not known yet) and its secret fields None.

    Made without validation: the loader validated the spec, and a resolved value may be UNKNOWN."""
    values = {
        name: None if name in secrets else _resolved(getattr(spec, name), lookup) for name in type(spec).model_fields
    }
    return cast(S, type(spec).model_construct(spec.model_fields_set, **values))


def _resolved(value: Any, lookup: Callable[[Ref], Any]) -> Any:
    if isinstance(value, BaseModel):
        fields = {name: _resolved(getattr(value, name), lookup) for name in type(value).model_fields}
        return type(value).model_construct(value.model_fields_set, **fields)
    if isinstance(value, Mapping):
        return {key: _resolved(item, lookup) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_resolved(item, lookup) for item in value]
    return resolve_known(value, lookup)


def resolve_known(value: Any, lookup: Callable[[Ref], Any]) -> Any:
    """`value` with references resolved; a template with an unknown part is UNKNOWN as a whole."""
    if isinstance(value, Template):
        parts = [part if isinstance(part, str) else lookup(part) for part in value.parts]
        return UNKNOWN if any(part is UNKNOWN for part in parts) else "".join(str(part) for part in parts)
    if isinstance(value, Mapping):
        return {key: resolve_known(item, lookup) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [resolve_known(item, lookup) for item in value]
    return resolve(value, lookup)


def deployment_tags(scenario_name: str, deployment: str) -> dict[str, str]:
    return {TAG_SCENARIO: scenario_name, TAG_DEPLOYMENT: deployment}


def predicted_exports(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Exports of a resource not created yet: those the scenario itself sets (its name), else UNKNOWN."""
    predicted: dict[str, Any] = {}
    for name in KINDS[kind].exports:
        value = values.get(name) if "." not in name else None
        predicted[name] = value if isinstance(value, str) else UNKNOWN
    return predicted
