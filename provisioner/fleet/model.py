"""What a fleet file says once checked: its members, each a deployment of a scenario with variables."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from provisioner.errors import ConfigurationError
from provisioner.language.suggestions import did_you_mean
from provisioner.scenario import SourceLocation


@dataclass(frozen=True)
class Member:
    name: str
    index: int
    """1-based, in the order the file lists or generates the members."""
    deployment: str
    scenario: Path
    variables: dict[str, str]
    """Passed to the scenario as `--var` values (typed by the scenario's own defaults)."""
    location: SourceLocation


@dataclass(frozen=True)
class Fleet:
    name: str
    path: Path
    members: tuple[Member, ...]
    description: str = ""
    warnings: list[str] = field(default_factory=list)

    def member(self, name: str) -> Member:
        for member in self.members:
            if member.name == name:
                return member
        raise KeyError(name)

    def select(self, names: Collection[str] | None) -> Fleet:
        """The fleet reduced to `names` (`--members a,b`), in the file's order; None keeps everyone."""
        if not names:
            return self
        known = [member.name for member in self.members]
        unknown = [name for name in names if name not in known]
        if unknown:
            hint = did_you_mean(unknown[0], known)
            raise ConfigurationError(
                f"--members: fleet '{self.name}' has no member {', '.join(repr(n) for n in unknown)}"
                + (f" ({hint})" if hint else "")
            )
        chosen = tuple(member for member in self.members if member.name in names)
        return Fleet(self.name, self.path, chosen, self.description, self.warnings)
