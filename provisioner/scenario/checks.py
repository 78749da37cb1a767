"""Checks: what `provision verify` proves, acting as the identity itself."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from provisioner.kinds import KINDS
from provisioner.kinds.base import ManagedIdentity, Model
from provisioner.language.references import Ref
from provisioner.language.suggestions import did_you_mean, join_words
from provisioner.scenario.model import Check
from provisioner.scenario.resources import Parsed
from provisioner.scenario.validation import validate
from provisioner.scenario.yamlsource import Path, Source

NONE = "none"
HOST_KINDS = tuple(name for name, info in KINDS.items() if info.host is not None)
IDENTITY_KINDS = HOST_KINDS + tuple(name for name, info in KINDS.items() if info.attachable_identity)
ABILITIES: dict[str, dict[str, str]] = {
    name: {ability: declared.description for ability, declared in info.check_target.abilities.items()}
    for name, info in KINDS.items()
    if info.check_target is not None
}
"""For each kind a check can target, what each ability makes verify do (`KindInfo.check_target`).
`can: X` proves the identity may do X; `cannot: X` proves it is refused; `can: none` is `cannot: read`."""


class CheckSpec(Model):
    """One entry of `checks`: exactly one of `can` and `cannot`."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["can"]}, {"required": ["cannot"]}]})

    identity: Ref
    can: str | SkipJsonSchema[None] = Field(None, description="An ability it must have; `none` is `cannot: read`.")
    cannot: str | SkipJsonSchema[None] = Field(None, description="An ability it must be refused.")
    target: Ref
    via: Ref | None = None


def build_checks(values: Any, parsed: dict[str, Parsed], source: Source) -> list[Check]:
    """The checks of the scenario from their interpolated values."""
    checks = []
    for index, value in enumerate(values if isinstance(values, list) else []):
        path: Path = ("checks", index)
        if not isinstance(value, dict):
            source.error(path, "a check must be a mapping with identity, can (or cannot) and target")
            continue
        spec = validate(CheckSpec, value, source, path, "a check")
        check = spec and _CheckBuilder(spec, path, parsed, source).build()
        if check:
            checks.append(check)
    return checks


class _CheckBuilder:
    def __init__(self, spec: CheckSpec, path: Path, parsed: dict[str, Parsed], source: Source) -> None:
        self.spec, self.path, self.parsed, self.source = spec, path, parsed, source
        self.ok = True

    def build(self) -> Check | None:
        identity = self._resource("identity", self.spec.identity, IDENTITY_KINDS)
        target = self._resource("target", self.spec.target, tuple(ABILITIES))
        claim = self._claim()
        if target and claim:
            self._ability(target.kind.name, *claim)
        via = self._via(identity) if identity else None
        if not self.ok or identity is None or target is None or claim is None:
            return None
        can, expect_refusal = _normalized(*claim)
        return Check(identity.name, can, target.name, via, self.source.document.at(self.path), expect_refusal)

    def _error(self, key: str, message: str, hint: str | None = None) -> None:
        self.source.error((*self.path, key), message, hint)
        self.ok = False

    def _claim(self) -> tuple[str, str] | None:
        """Which of `can` and `cannot` the check says, and its ability; None (reported) for both or neither."""
        can, cannot = self.spec.can, self.spec.cannot
        if can is not None and cannot is not None:
            self._error("cannot", "a check says either 'can' or 'cannot', not both")
        elif cannot is not None:
            return "cannot", cannot
        elif can is not None:
            return "can", can
        else:
            self.source.error(self.path, "missing 'can' or 'cannot' of a check: what to prove", key=True)
            self.ok = False
        return None

    def _resource(self, key: str, ref: Ref, kinds: tuple[str, ...]) -> Parsed | None:
        resource = self.parsed.get(ref.resource)
        if ref.is_target:
            self._error(key, f"'{key}' must name a whole resource of the scenario, not {ref}")
        elif resource is None:
            self.ok = False  # reported as a bad reference
        elif ref.attribute:
            self._error(key, f"'{key}' must name a whole resource: ${{{ref.resource}}}, not {ref}")
        elif resource.kind.name not in kinds:
            self._error(key, f"'{key}' cannot be a {resource.kind.name}; it can be: {', '.join(kinds)}")
        else:
            return resource
        return None

    def _ability(self, kind: str, key: str, ability: str) -> None:
        """`can` takes an ability of the target's kind or `none`; `cannot` an ability."""
        abilities = [*ABILITIES[kind], NONE] if key == "can" else list(ABILITIES[kind])
        if ability not in abilities:
            claim, takes = (ability, "it can prove") if key == "can" else (f"cannot {ability}", "'cannot' takes")
            message = f"a check cannot prove '{claim}' on a {kind}; {takes}: {', '.join(abilities)}"
            self._error(key, message, did_you_mean(ability, abilities))

    def _via(self, identity: Parsed) -> str | None:
        via = self.spec.via
        if identity.kind.attachable_identity:
            hosts = join_words(HOST_KINDS, "or")
            if via is not None:
                self._error("via", f"'via' applies only when the identity is a {hosts}")
            elif not self._hosts(identity.name):
                self._error("identity", f"'{identity.name}' is not attached to any {hosts}, so nothing acts as it")
            return None
        block = getattr(identity.spec, "identity", None)
        if not isinstance(block, ManagedIdentity) or identity.existing:
            return via.resource if via else None
        attached = _attached(block)
        if via is not None:
            if via.attribute or via.resource not in attached:
                message = f"'via' must name a user-assigned identity of '{identity.name}', like ${{uai}}"
                self._error("via", message, f"its identity.user_assigned lists: {', '.join(attached) or 'none'}")
            return via.resource
        if block.system_assigned:
            return None
        if len(attached) == 1:
            return attached[0]
        problem = "has no managed identity" if not attached else "has several identities: say which with 'via'"
        self._error("identity", f"{identity.kind.name} '{identity.name}' {problem}")
        return None

    def _hosts(self, identity: str) -> bool:
        blocks = (getattr(resource.spec, "identity", None) for resource in self.parsed.values())
        return any(isinstance(b, ManagedIdentity) and identity in _attached(b) for b in blocks)


def _normalized(key: str, ability: str) -> tuple[str, bool]:
    """The ability a check tries, and whether it expects a refusal: `can: none` is `cannot: read`."""
    if ability == NONE:
        return "read", True
    return ability, key == "cannot"


def _attached(block: ManagedIdentity) -> list[str]:
    return [ref.resource for ref in block.user_assigned if isinstance(ref, Ref)]
