"""Retry classification with a recorded clock: what is retried, for how long, and what fails at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from provisioner.errors import CloudError, TransientCloudError
from provisioner.execution.retry import Clock, RetryPolicy, call_with_retry


@dataclass
class FakeTime:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def clock(self) -> Clock:
        return Clock(sleep=self.sleep, now=lambda: self.now)


def failing(errors: list[Exception], result: str = "ok") -> Callable[[], str]:
    def operation() -> str:
        if errors:
            raise errors.pop(0)
        return result

    return operation


def throttled(retry_after: float | None = None) -> TransientCloudError:
    return TransientCloudError("429 TooManyRequests", status=429, code="TooManyRequests", retry_after=retry_after)


def principal_not_found() -> TransientCloudError:
    return TransientCloudError("400 PrincipalNotFound: not in directory", status=400, code="PrincipalNotFound")


def test_throttling_honours_retry_after() -> None:
    time = FakeTime()
    result = call_with_retry(failing([throttled(7), throttled(3)]), policy=RetryPolicy(), clock=time.clock)
    assert result == "ok"
    assert time.sleeps[0] >= 7 and time.sleeps[1] >= 3


def test_server_errors_back_off_exponentially_and_give_up() -> None:
    time = FakeTime()
    errors: list[Exception] = [TransientCloudError("503", status=503) for _ in range(10)]
    with pytest.raises(TransientCloudError):
        call_with_retry(failing(errors), policy=RetryPolicy(max_attempts=4, base_delay=1), clock=time.clock)
    assert len(time.sleeps) == 3
    assert time.sleeps[0] < time.sleeps[1] < time.sleeps[2]


def test_retry_after_is_capped_and_the_total_wait_bounded() -> None:
    time = FakeTime()
    policy = RetryPolicy(max_attempts=10, max_delay=20, max_total=30)
    with pytest.raises(TransientCloudError):
        call_with_retry(failing([throttled(3600) for _ in range(10)]), policy=policy, clock=time.clock)
    assert all(delay <= 22 for delay in time.sleeps)
    assert sum(time.sleeps) <= 30


def test_errors_that_are_not_transient_fail_at_once() -> None:
    time = FakeTime()
    with pytest.raises(CloudError, match="AuthorizationFailed"):
        call_with_retry(
            failing([CloudError("403 AuthorizationFailed", status=403, code="AuthorizationFailed")]),
            policy=RetryPolicy(),
            clock=time.clock,
        )
    assert time.sleeps == []


def test_principal_not_found_fails_fast_for_a_principal_this_run_did_not_create() -> None:
    time = FakeTime()
    with pytest.raises(CloudError, match="PrincipalNotFound"):
        call_with_retry(failing([principal_not_found()]), policy=RetryPolicy(), clock=time.clock)
    assert time.sleeps == []


def test_principal_not_found_waits_for_replication_of_a_new_identity() -> None:
    time = FakeTime()
    notes: list[str] = []
    result = call_with_retry(
        failing([principal_not_found() for _ in range(5)]),
        policy=RetryPolicy(principal_wait=120, principal_poll=2),
        principal_created=True,
        notify=notes.append,
        clock=time.clock,
    )
    assert result == "ok"
    assert time.sleeps == [2, 2, 2, 2, 2]
    assert "replicates" in notes[0]


def test_principal_wait_is_bounded_and_explained() -> None:
    time = FakeTime()
    errors: list[Exception] = [principal_not_found() for _ in range(100)]
    with pytest.raises(CloudError) as failure:
        call_with_retry(
            failing(errors),
            policy=RetryPolicy(principal_wait=10, principal_poll=2),
            principal_created=True,
            clock=time.clock,
        )
    assert failure.value.code == "PrincipalNotFound"
    assert "--principal-wait" in str(failure.value)
    assert sum(time.sleeps) == 10


def refused(code: str = "AuthorizationPermissionMismatch") -> CloudError:
    return CloudError(f"403 {code}: not authorized", status=403, code=code)


@pytest.mark.parametrize(
    "code", ["AuthorizationFailed", "AuthorizationPermissionMismatch", "Forbidden", "ForbiddenByRbac"]
)
def test_a_refusal_waits_for_rbac_to_apply_a_role_assignment_this_run_created(code: str) -> None:
    time = FakeTime()
    notes: list[str] = []
    result = call_with_retry(
        failing([refused(code) for _ in range(3)]),
        policy=RetryPolicy(principal_wait=120, principal_poll=2),
        role_granted=True,
        notify=notes.append,
        clock=time.clock,
    )
    assert result == "ok"
    assert time.sleeps == [2, 2, 2]
    assert f"403 {code}" in notes[0] and "Azure RBAC takes time" in notes[0]


def test_a_refusal_fails_at_once_without_a_role_assignment_this_run_created() -> None:
    time = FakeTime()
    with pytest.raises(CloudError, match="AuthorizationPermissionMismatch"):
        call_with_retry(failing([refused()]), policy=RetryPolicy(), principal_created=True, clock=time.clock)
    assert time.sleeps == []


def test_other_errors_of_a_step_after_a_new_role_assignment_fail_at_once() -> None:
    time = FakeTime()
    errors: list[Exception] = [CloudError("400 InvalidParameter", status=400, code="InvalidParameter")]
    with pytest.raises(CloudError, match="InvalidParameter"):
        call_with_retry(failing(errors), policy=RetryPolicy(), role_granted=True, clock=time.clock)
    assert time.sleeps == []


def test_rbac_wait_is_bounded_by_principal_wait_and_explained() -> None:
    time = FakeTime()
    errors: list[Exception] = [refused() for _ in range(100)]
    with pytest.raises(CloudError) as failure:
        call_with_retry(
            failing(errors),
            policy=RetryPolicy(principal_wait=10, principal_poll=2),
            role_granted=True,
            clock=time.clock,
        )
    assert failure.value.status == 403 and failure.value.code == "AuthorizationPermissionMismatch"
    assert "Azure RBAC propagation" in str(failure.value) and "--principal-wait" in str(failure.value)
    assert sum(time.sleeps) == 10
