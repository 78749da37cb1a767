"""Retries that understand Azure.

- 429 and 5xx (TransientCloudError): wait at least the Retry-After the service sent, else a bounded
  exponential backoff; a few attempts and a total budget on top of the SDK's own retries, so the
  two layers never multiply into minutes.
- PrincipalNotFound: right after this run created (or enabled) an identity, Entra ID may not have
  replicated its service principal to ARM yet. Retried up to `principal_wait` seconds only then;
  for any other principal it fails at once with Azure's error.
- An authorization refusal (403) of a step that depends on a role assignment this run created: Azure
  RBAC takes a while to apply a new assignment. Retried, like PrincipalNotFound, up to
  `principal_wait` seconds only then; otherwise it fails at once.
- Everything else fails at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from provisioner.errors import CloudError, Failure, classify, status_and_code

T = TypeVar("T")

DEFAULT_PRINCIPAL_WAIT = 120.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_total: float = 90.0  # seconds spent waiting on transient errors, per call
    principal_wait: float = DEFAULT_PRINCIPAL_WAIT
    principal_poll: float = 2.0


@dataclass(frozen=True)
class Clock:
    """Time as the retry loop sees it (tests of the loop pass a fake one)."""

    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.monotonic


def is_transient(error: BaseException) -> bool:
    return classify(error) is Failure.TRANSIENT


def retry_after(error: BaseException) -> float | None:
    value: object = getattr(error, "retry_after", None)
    return float(value) if isinstance(value, int | float) and value >= 0 else None


def call_with_retry(
    operation: Callable[[], T],
    *,
    policy: RetryPolicy,
    principal_created: bool = False,
    role_granted: bool = False,
    notify: Callable[[str], None] = lambda message: None,
    clock: Clock = Clock(),
) -> T:
    """Run `operation`, retrying as the module docstring says; raises the last error otherwise.

    `principal_created`: the operation refers to a principal this run created; `role_granted`: it
    depends on a role assignment this run created."""
    started = clock.now()
    attempt = 0
    transient_waited = 0.0
    while True:
        attempt += 1
        try:
            return operation()
        except Exception as error:
            propagating = _propagating(error, principal_created, role_granted)
            delay = _delay(error, policy, attempt, transient_waited, clock.now() - started, propagating)
            if delay is None:
                if propagating:
                    raise _propagation_timeout(error, policy) from error
                raise
            if propagating:
                notify(_propagation_message(error, policy, clock.now() - started))
            else:
                transient_waited += delay
                notify(f"{_describe(error)}; retrying in {delay:.1f}s (attempt {attempt + 1})")
            clock.sleep(delay)


def _delay(
    error: BaseException,
    policy: RetryPolicy,
    attempt: int,
    transient_waited: float,
    elapsed: float,
    propagating: bool,
) -> float | None:
    """Seconds to wait before the next attempt, or None to give up."""
    if propagating:
        if elapsed >= policy.principal_wait:
            return None
        return min(policy.principal_poll, max(policy.principal_wait - elapsed, 0.0))
    if not is_transient(error) or attempt >= policy.max_attempts:
        return None
    backoff = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1)) * (1 + random.random() / 10)
    delay = max(backoff, min(retry_after(error) or 0.0, policy.max_delay))
    if transient_waited + delay > policy.max_total:
        return None
    return delay


def _propagating(error: BaseException, principal_created: bool, role_granted: bool) -> bool:
    """True for an error that Azure's propagation of something this run created explains."""
    if classify(error) is Failure.REPLICATION:
        return principal_created
    return role_granted and classify(error) is Failure.AUTHORIZATION


def _propagation_message(error: BaseException, policy: RetryPolicy, elapsed: float) -> str:
    waiting = f"waiting, {elapsed:.0f}s of up to {policy.principal_wait:.0f}s"
    if classify(error) is Failure.REPLICATION:
        return (
            "the identity created in this run is not visible to Azure RBAC yet (Entra ID replicates a new "
            f"service principal with a delay); {waiting}"
        )
    return (
        f"{_label(error) or 'refused'}: a role assignment this step depends on was created in this run, and "
        f"Azure RBAC takes time (up to several minutes) to apply a new role assignment; {waiting}"
    )


def _propagation_timeout(error: BaseException, policy: RetryPolicy) -> CloudError:
    status, code = status_and_code(error)
    if classify(error) is Failure.REPLICATION:
        cause = "the identity was created in this run, but its service principal was still not visible"
        process = "Entra ID replication"
    else:
        cause = "a role assignment this step depends on was created in this run, but was still not applied"
        process = "Azure RBAC propagation"
    message = f"{error} ({cause} after {policy.principal_wait:.0f}s of {process}; re-run, or raise --principal-wait)"
    return CloudError(message, status=status, code=code)


def _label(error: BaseException) -> str:
    return " ".join(str(part) for part in status_and_code(error) if part is not None)


def _describe(error: BaseException) -> str:
    label = _label(error)
    return f"transient error ({label})" if label else "transient error"
