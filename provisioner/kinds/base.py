"""What every kind shares: the spec model base, the attribute types, and `KindInfo`.

A kind module defines `<Kind>Spec` (a pydantic model of the attributes a scenario may set) and
`KIND = KindInfo(...)`: what the kind exports to references, which attributes find the Azure
object (`lookup`: the only ones an `existing: true` resource may set), its naming rule, its own
rules, and what the other layers need of it: its provider (imported only when a run needs it),
the SDK modules to warm up, what `verify` can prove on it and whether a probe can run inside it.
Every table keyed by kind elsewhere is derived from these declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, NamedTuple, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    SecretStr,
    Tag,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from provisioner.language.references import Ref, Template

GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
ENV_REFERENCE = r"^\$\{env\.[A-Za-z_][A-Za-z0-9_-]*\}$"

PrincipalType = Literal["User", "Group", "ServicePrincipal"]
PRINCIPAL_TYPES: tuple[PrincipalType, ...] = ("User", "Group", "ServicePrincipal")


def _text(value: object) -> str | Ref | Template:
    if isinstance(value, str | Ref | Template):
        return value
    raise PydanticCustomError("string_type", "Input should be a valid string")


Text = Annotated[str | Ref | Template, PlainValidator(_text), WithJsonSchema({"type": "string"})]
"""A string, or a value another resource exports: `${rg.name}`, `${vnet.id}/subnets/default`."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Spec(Model):
    """The attributes of one resource, as the scenario sets them."""


class Placed(Spec):
    """An ARM resource in a resource group."""

    name: str = Field(description="The resource's name in Azure.")
    resource_group: Text = Field(description="Name of the resource group, usually `${rg.name}`.")
    location: Text | None = Field(None, description="Azure region; defaults to the resource group's.")
    tags: dict[str, str] = Field({}, description="Tags on the resource.")


PLACED_LINKS = {"resource_group": ("resource_group.name",)}


class GeneratedLength(Model):
    length: int = Field(24, ge=12, le=123)


class Generated(Model):
    """`{generate: {length: N}}`: a random value made when the resource is created; stored nowhere."""

    generate: GeneratedLength


def _secret_source(value: object) -> str:
    return "env" if isinstance(value, SecretStr) else "generated"


Secret = Annotated[
    Annotated[SecretStr, Tag("env"), WithJsonSchema({"type": "string", "pattern": ENV_REFERENCE})]
    | Annotated[Generated, Tag("generated")],
    Discriminator(_secret_source),
]
"""A secret: `${env.NAME}` or `{generate: {length: N}}`, never a literal in the file."""


class ManagedIdentity(Model):
    system_assigned: bool = Field(
        False, description="`true`: the resource gets a system-assigned identity (its `identity.principal_id`)."
    )
    user_assigned: list[Text] = Field([], description="User-assigned identities attached to it, as `${uai.id}`.")


IDENTITY_EXPORTS: dict[str, type] = {"identity.principal_id": str, "identity.tenant_id": str}


def identity_absent_exports(spec: Spec) -> dict[str, str]:
    """The system identity's attributes exist only when it is enabled."""
    identity = getattr(spec, "identity", None)
    if not isinstance(identity, ManagedIdentity) or identity.system_assigned:
        return {}
    return {name: "only with identity.system_assigned: true" for name in IDENTITY_EXPORTS}


@dataclass(frozen=True)
class Issue:
    """A problem a kind's rules found; `path` is the attribute path inside the resource."""

    path: tuple[str | int, ...]
    message: str
    hint: str | None = None
    severity: Literal["error", "warning"] = "error"


class Peer(NamedTuple):
    name: str
    kind: str
    spec: Spec


@dataclass(frozen=True)
class Peers:
    """The other resources of the scenario, for rules that look across resources."""

    kinds: Mapping[str, str]
    specs: Mapping[str, Spec]

    def target(self, value: object) -> Peer | None:
        """The resource `value` refers to (a template by its first part), if it is valid."""
        ref = value.parts[0] if isinstance(value, Template) else value
        if isinstance(ref, Ref) and ref.resource in self.specs:
            return Peer(ref.resource, self.kinds[ref.resource], self.specs[ref.resource])
        return None


@dataclass(frozen=True)
class NameRule:
    """Azure's naming rule of a kind, checked on literal names."""

    pattern: str
    rule: str
    what: str

    def issues(self, name: object) -> list[Issue]:
        if isinstance(name, str) and not re.fullmatch(self.pattern, name):
            return [Issue(("name",), f"invalid {self.what} name '{name}': {self.rule}")]
        return []


@dataclass(frozen=True)
class LocalFile:
    """An attribute naming a local UTF-8 text file, relative to the scenario's folder: the loader
    reads it (at most `max_bytes`) into the attribute `into`."""

    into: str
    max_bytes: int


@dataclass(frozen=True)
class PrincipalField:
    """An attribute holding a principal's object id, and the attribute that names its type.

    When the type attribute is not set, the loader infers it from what the id refers to and
    writes it into the spec, translated through `type_names`.
    """

    attribute: str
    type_attribute: str | None = None
    type_names: Mapping[str, str] = field(default_factory=lambda: {t: t for t in PRINCIPAL_TYPES})


S = TypeVar("S", bound=Spec)


class HostType(StrEnum):
    """What a probe runs inside, acting as the host's managed identities."""

    VIRTUAL_MACHINE = "virtual machine"
    WEB_APP = "web app"


@dataclass(frozen=True)
class Ability:
    """What a check proves on a target: `description` for people, `action` the probe's action that
    proves it (a wire name of `provisioner.verify.abilities.Action`)."""

    description: str
    action: str


@dataclass(frozen=True)
class CheckTarget:
    """How `verify` treats a resource of this kind as the target of a check."""

    abilities: Mapping[str, Ability]
    api_version: str
    """The api-version of an ARM GET by id of the target (or of `exists_at`)."""
    exists_at: str | None = None
    """The state attribute holding the ARM id whose existence proves the target exists (its vault,
    for a secret); None: the target's own id."""


def no_rules(spec: Spec, peers: Peers) -> list[Issue]:
    return []


def no_absent_exports(spec: Spec) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class KindInfo(Generic[S]):
    """Everything the scenario language knows about a kind."""

    name: str
    spec: type[S]
    exports: Mapping[str, type]
    lookup: tuple[str, ...]
    required: frozenset[str] = frozenset()
    """Attributes a created resource must set (they are optional in `spec` for `existing`)."""
    one_of: tuple[tuple[str, ...], ...] = ()
    """Groups of attributes of which a created resource sets exactly one."""
    files: Mapping[str, LocalFile] = field(default_factory=dict)
    name_rule: NameRule | None = None
    globally_unique: bool = False
    case_sensitive: frozenset[str] = frozenset()
    """Lookup attributes Azure compares with their case (others name the same object in any case)."""
    creatable: bool = True
    """False for kinds provision only reads (they need `existing: true`)."""
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """attribute -> the `kind.attribute` exports a reference in it may point to."""
    secrets: frozenset[str] = frozenset()
    principal: PrincipalField | None = None
    principal_exports: Mapping[str, PrincipalType] = field(default_factory=dict)
    """Exported attributes that are a principal's object id, and the principal's type."""
    rules: Callable[[S, Peers], Iterable[Issue]] = no_rules
    absent_exports: Callable[[S], Mapping[str, str]] = no_absent_exports
    """Exports a resource does not have given its spec, with why."""
    provider: str = ""
    """`module:Class` of the provider; imported only when a run needs it, so `validate` loads no SDK."""
    sdk_modules: tuple[str, ...] = ()
    """SDK modules the provider uses, imported in the background while a run plans (an optimisation)."""
    check_target: CheckTarget | None = None
    host: HostType | None = None
    """Set for kinds a probe can run in (their managed identities act in checks)."""
    attachable_identity: bool = False
    """True for an identity that acts in checks through a host it is attached to."""
    grants_access: bool = False
    """Creating one grants access that Azure takes a while to apply (dependents wait out a 403)."""
    step_cost: float = 1.0
    """What creating one costs next to a plain ARM write (a VM's long-running create is several): of
    the steps ready to run, apply starts the one heading the costliest remaining chain first."""
    doc: str = ""
    """Markdown for the kind's section of docs/scenario-language.md, after its attribute table (the
    spec's docstring gives the section's first paragraph and the prose before this)."""

    @property
    def acts_in_checks(self) -> bool:
        """Whether a check's `identity` may name a resource of this kind."""
        return self.host is not None or self.attachable_identity

    @property
    def makes_principal(self) -> bool:
        """Whether a resource of this kind is (or carries) a principal that Entra ID must replicate."""
        return bool(self.principal_exports)

    def check(self, spec: S, peers: Peers) -> list[Issue]:
        """The issues of the kind's naming rule and of its own rules."""
        issues = self.name_rule.issues(getattr(spec, "name", None)) if self.name_rule else []
        return issues + list(self.rules(spec, peers))

    def link(self, attribute: str) -> tuple[str, ...] | None:
        """The exports a reference in `attribute` may point to (None: any)."""
        return self.links.get(attribute) or PLACED_LINKS.get(attribute)

    @property
    def create_only(self) -> frozenset[str]:
        """Attributes that only matter when creating: an existing resource may not set them."""
        return frozenset(self.spec.model_fields) - set(self.lookup)


def is_literal_guid(value: Any) -> bool:
    return isinstance(value, str) and GUID.fullmatch(value) is not None
