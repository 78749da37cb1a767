"""The one exception tree of `provision`.

    ProvisionError                      root: everything the library raises on purpose
    ├── ScenarioError                   bad input (scenario file, variables, CLI values); exit 2
    ├── ConfigurationError              a target or option that cannot work (no subscription, ...); exit 2
    ├── StateError                      a state document that cannot be read or written
    │   └── LockHeldError               another process holds the deployment's lock
    ├── PlanError                       a plan that cannot be applied
    │   └── StalePlanError              saved plan whose scenario or observed state has changed
    ├── CloudError                      an Azure call failed (carries status, Azure's code and message)
    │   └── TransientCloudError         worth retrying: 429, 5xx, replication delay
    ├── ApplyError                      one or more steps of an apply or destroy failed
    └── VerificationError               a check could not be run

Exit codes are assigned in the CLI only (provisioner/cli), never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ProvisionError(Exception):
    """Root of every error the library raises on purpose."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem in an input file, located at file:line:col (1-based)."""

    file: str
    line: int
    column: int
    message: str
    hint: str | None = None
    severity: str = "error"

    def render(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class ScenarioError(ProvisionError):
    """Bad input: every diagnostic found in one pass over the file(s)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


class ConfigurationError(ProvisionError):
    """A target, credential or option that cannot work."""


class StateError(ProvisionError):
    """A deployment state document that cannot be read or written."""


class LockHeldError(StateError):
    """Another live process holds the deployment's lock."""


class PlanError(ProvisionError):
    """A plan that cannot be applied."""


class StalePlanError(PlanError):
    """A saved plan whose scenario or observed state changed since it was made."""


class CloudError(ProvisionError):
    """An Azure call failed; carries the HTTP status and Azure's error code and message."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class TransientCloudError(CloudError):
    """A failure worth retrying (throttling, 5xx, replication delay)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class ApplyError(ProvisionError):
    """One or more steps of an apply or destroy failed (the summary says which)."""


class VerificationError(ProvisionError):
    """A check could not be run at all (as opposed to a check that ran and failed)."""
