"""The loaded scenario: typed, checked, with resource references still symbolic."""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provisioner.errors import Diagnostic
from provisioner.scenario.diagnostics import SourceLocation

if TYPE_CHECKING:
    from provisioner.kinds.base import Spec


@dataclass(frozen=True)
class Resource:
    """One resource of the scenario.

    `spec` is an instance of the kind's model (`KINDS[kind].spec`); attributes that take values
    from other resources hold `Ref` or `Template`. For `role_assignment` and `sql_entra_admin`,
    `spec.principal_type` is always set: given in the file, or inferred from the principal.
    """

    name: str
    kind: str
    existing: bool
    spec: Spec
    depends_on: frozenset[str]
    location: SourceLocation


@dataclass(frozen=True)
class Check:
    """What `verify` proves: `identity` can do `can` on `target`, or with `expect_refusal` is refused it.

    `can` is an ability of the target's kind (`cannot: write` is `can="write"`, `expect_refusal=True`;
    `can: none` is `cannot: read`). `identity` names a virtual_machine, web_app or user_assigned_identity
    resource. `via` names the user-assigned identity a VM or web app acts with (None: its system-assigned
    identity).
    """

    identity: str
    can: str
    target: str
    via: str | None
    location: SourceLocation
    expect_refusal: bool = False

    @property
    def title(self) -> str:
        """`vm can read rg`, `vm via uai cannot write container`."""
        via = f" via {self.via}" if self.via else ""
        verb = "cannot" if self.expect_refusal else "can"
        return f"{self.identity}{via} {verb} {self.can} {self.target}"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: Path
    variables: dict[str, Any]
    resources: dict[str, Resource]
    outputs: dict[str, Any]
    checks: list[Check]
    source_hash: str
    warnings: list[Diagnostic] = field(default_factory=list)

    def order(self) -> list[str]:
        """Resource names, each after everything it depends on."""
        graph = {name: resource.depends_on for name, resource in self.resources.items()}
        return list(graphlib.TopologicalSorter(graph).static_order())
