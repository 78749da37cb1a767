"""What verify found: one outcome per check, judged against what the check expects.

A check passes when the access was allowed and it expects `allowed`, or refused for lack of rights
(HTTP 403, or SQL's login / permission errors) and it expects `refused`. Anything else fails it: an
error (not found, no token, network) proves neither, and a check whose identity or target is not
applied proves nothing. A skipped check was not run; it is never counted as passed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from provisioner.errors import VerifyError
from provisioner.scenario import Check
from provisioner.verify.abilities import Expect


class Actual(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"  # refused for lack of rights; `code` says how Azure put it
    ERROR = "error"  # the access could not be tried or failed for another reason
    NOT_APPLIED = "not applied"
    SKIPPED = "skipped"


class Result(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    actual: Actual
    code: str | None = None  # Azure's error code, or SQL's error number
    detail: str = ""

    @property
    def text(self) -> str:
        """`allowed`, `refused (AuthorizationFailed)`, `error (ResourceNotFound)`, ..."""
        return f"{self.actual} ({self.code})" if self.code else str(self.actual)

    @classmethod
    def from_json(cls, data: Any) -> Outcome:
        """An outcome a probe reported; anything unreadable is an error outcome."""
        if not isinstance(data, dict) or data.get("actual") not in {Actual.ALLOWED, Actual.REFUSED, Actual.ERROR}:
            return cls(Actual.ERROR, None, f"the probe answered something unreadable: {str(data)[:200]}")
        code = data.get("code")
        return cls(Actual(data["actual"]), str(code) if code else None, str(data.get("detail") or ""))


class Unverifiable(VerifyError):
    """A check that is not probed: its outcome is decided before (not applied, skipped, a lookup failed)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.detail)
        self.outcome = outcome


def error(detail: str, code: str | None = None) -> Outcome:
    return Outcome(Actual.ERROR, code, detail)


def skipped(reason: str) -> Outcome:
    return Outcome(Actual.SKIPPED, None, reason)


def not_applied(detail: str) -> Outcome:
    return Outcome(Actual.NOT_APPLIED, None, detail)


@dataclass(frozen=True)
class CheckResult:
    index: int  # position in the scenario's `checks`
    check: Check
    acting_as: str  # which identity the token was obtained as, and where it ran
    expected: Expect
    outcome: Outcome

    @property
    def result(self) -> Result:
        actual = self.outcome.actual
        if actual is Actual.SKIPPED:
            return Result.SKIPPED
        if (actual, self.expected) in {(Actual.ALLOWED, Expect.ALLOWED), (Actual.REFUSED, Expect.REFUSED)}:
            return Result.PASS
        return Result.FAIL

    @property
    def reason(self) -> str:
        """What happened, and why it fails the check when it does."""
        if self.outcome.actual is Actual.ALLOWED and self.expected is Expect.REFUSED:
            return f"allowed, but the check expects a refusal: {self.outcome.detail}"
        if self.outcome.actual is Actual.REFUSED and self.expected is Expect.ALLOWED:
            return f"refused: {self.outcome.detail}"
        return self.outcome.detail

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "check": self.check.title,
            "location": str(self.check.location),
            "identity": self.check.identity,
            "via": self.check.via,
            "ability": self.check.can,
            "target": self.check.target,
            "acting_as": self.acting_as,
            "expected": str(self.expected),
            "actual": str(self.outcome.actual),
            "code": self.outcome.code,
            "result": str(self.result),
            "detail": self.reason,
        }


@dataclass(frozen=True)
class VerifyReport:
    scenario: str
    deployment: str
    target: str
    results: list[CheckResult]

    @property
    def counts(self) -> dict[Result, int]:
        found = Counter(result.result for result in self.results)
        return {result: found[result] for result in Result}

    @property
    def ok(self) -> bool:
        """No check failed (skipped checks do not fail a run, but are not passes either)."""
        return self.counts[Result.FAIL] == 0

    def summary(self) -> str:
        counts = self.counts
        text = (
            f"Verify: {counts[Result.PASS]} passed, {counts[Result.FAIL]} failed, "
            f"{counts[Result.SKIPPED]} skipped, of {len(self.results)} check{'' if len(self.results) == 1 else 's'}."
        )
        if counts[Result.SKIPPED]:
            text += " Skipped checks were not run and prove nothing: they are not passes."
        return text

    def to_json(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "scenario": self.scenario,
            "deployment": self.deployment,
            "target": self.target,
            "checks": [result.to_json() for result in self.results],
            "summary": {
                "passed": counts[Result.PASS],
                "failed": counts[Result.FAIL],
                "skipped": counts[Result.SKIPPED],
                "ok": self.ok,
            },
        }
