"""The one exception tree of `provision`.

    ProvisionError                      root: everything the library raises on purpose
    ├── ScenarioError                   bad input (scenario file, variables, CLI values); exit 2
    ├── ConfigurationError              a target or option that cannot work (no subscription, ...); exit 2
    ├── StateError                      a state document that cannot be read or written
    │   └── LockHeldError               another process holds the deployment's lock
    ├── PlanError                       a plan that cannot be applied
    │   └── StalePlanError              saved plan whose scenario or observed state has changed
    ├── CloudError                      an Azure call failed (carries status, Azure's code and message)
    │   └── TransientCloudError         may clear by itself: 429, 5xx, replication delay
    ├── ApplyError                      one or more steps of an apply or destroy failed
    └── VerifyError                     verify could not run a check (its outcome says why)

`classify` is the one place that decides what a failure is (throttling, replication, RBAC
propagation, or permanent); the SDK translation and the retry loop both ask it.
Exit codes are assigned in the CLI only (provisioner/cli), never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


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


class VerifyError(ProvisionError):
    """Verify could not run a check as asked (as opposed to a check that ran and failed)."""


class Failure(Enum):
    """What a failed cloud call means for whoever retries it."""

    TRANSIENT = "transient"  # throttling, 5xx, timeouts, connection failures: back off and retry
    REPLICATION = "replication"  # PrincipalNotFound: a new principal is not visible yet (wait only for ours)
    AUTHORIZATION = "authorization"  # a 403 that a role assignment still propagating explains (wait only for ours)
    PERMANENT = "permanent"


TRANSIENT_STATUS = frozenset({408, 429})
TRANSIENT_CODES = frozenset({"AnotherOperationInProgress", "RetryableError", "ConnectionError"})
PRINCIPAL_NOT_FOUND = "PrincipalNotFound"
AUTHORIZATION_REFUSALS = frozenset(
    {"AuthorizationFailed", "AuthorizationPermissionMismatch", "Forbidden", "ForbiddenByRbac"}
)


def failure_of(status: int | None, code: str | None) -> Failure:
    """What an Azure answer with this HTTP status and error code means."""
    if code == PRINCIPAL_NOT_FOUND:
        return Failure.REPLICATION
    if status == 403 and code in AUTHORIZATION_REFUSALS:
        return Failure.AUTHORIZATION
    if code in TRANSIENT_CODES or (status is not None and (status in TRANSIENT_STATUS or status >= 500)):
        return Failure.TRANSIENT
    return Failure.PERMANENT


def status_and_code(error: BaseException) -> tuple[int | None, str | None]:
    """The HTTP status and Azure error code of an error from a provider or an SDK."""
    if isinstance(error, CloudError):
        return error.status, error.code
    status = getattr(error, "status_code", None)
    code = getattr(getattr(error, "error", None), "code", None)
    return (status if isinstance(status, int) else None), (code if isinstance(code, str) else None)


def classify(error: BaseException) -> Failure:
    """What a failure means (a TransientCloudError without a status or code is transient)."""
    failure = failure_of(*status_and_code(error))
    if failure is Failure.PERMANENT and isinstance(error, TransientCloudError):
        return Failure.TRANSIENT
    return failure
