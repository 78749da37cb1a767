"""Source locations, and the collector of every diagnostic found while loading one scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from provisioner.errors import Diagnostic, ScenarioError


class Unresolved:
    """Stands for a value whose problem has been reported, so that nothing reports it again."""

    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED: Final = Unresolved()


@dataclass(frozen=True)
class SourceLocation:
    """A place in an input file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Report:
    """Collects diagnostics so that one run reports every problem of a file."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, at: SourceLocation, message: str, hint: str | None = None) -> None:
        self.add(at, message, hint, "error")

    def add(self, at: SourceLocation, message: str, hint: str | None, severity: str) -> None:
        diagnostic = Diagnostic(at.file, at.line, at.column, message, hint, severity)
        if diagnostic not in self.diagnostics:
            self.diagnostics.append(diagnostic)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=lambda d: (d.file, d.line, d.column))

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise ScenarioError(self.sorted())
