"""The one format of benchmark figures: every figure names its target and says whether it is met."""

from __future__ import annotations

import pytest

from bench.report import figure


def test_a_figure_says_its_target_and_that_it_is_met() -> None:
    assert figure("throughput", 512.4, ">=", 300, digits=0, unit="GET/s") == (
        "throughput = 512 GET/s (target >= 300: met)"
    )


def test_a_figure_that_misses_its_target_says_not_met() -> None:
    assert figure("apply wall time / critical path", 1.3, "<=", 1.2) == (
        "apply wall time / critical path = 1.30 (target <= 1.2: NOT met)"
    )
    assert figure("writes", 3, "==", 0, digits=0) == "writes = 3 (target == 0: NOT met)"


@pytest.mark.parametrize(
    ("value", "op", "target", "verdict"),
    [(1.2, "<=", 1.2, "met"), (0, "==", 0, "met"), (300, ">=", 300, "met"), (299.4, ">=", 300, "NOT met")],
)
def test_the_boundary_meets_the_target(value: float, op: str, target: float, verdict: str) -> None:
    assert figure("x", value, op, target, digits=0 if op != "<=" else 2).endswith(f": {verdict})")


def test_the_verdict_judges_the_value_as_printed() -> None:
    # 1.204 prints as 1.20, which reads as meeting <= 1.2; the verdict agrees with what is printed
    assert figure("ratio", 1.204, "<=", 1.2) == "ratio = 1.20 (target <= 1.2: met)"
    assert figure("ratio", 1.206, "<=", 1.2) == "ratio = 1.21 (target <= 1.2: NOT met)"


def test_an_unknown_comparison_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown comparison '<'"):
        figure("x", 1, "<", 2)
