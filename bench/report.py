"""The one format of every benchmark figure: `name = value unit (target OP X: met|NOT met)`."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable

COMPARISONS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le, "==": operator.eq}


def figure(name: str, value: float, op: str, target: float, *, digits: int = 2, unit: str = "") -> str:
    """One figure with its target and verdict. The verdict judges the value as printed (rounded to
    `digits`), so a line never shows a number that reads as meeting the target and says NOT met."""
    if op not in COMPARISONS:
        raise ValueError(f"unknown comparison {op!r} (one of {', '.join(COMPARISONS)})")
    shown = round(value, digits)
    verdict = "met" if COMPARISONS[op](shown, target) else "NOT met"
    suffix = f" {unit}" if unit else ""
    return f"{name} = {shown:.{digits}f}{suffix} (target {op} {target:g}: {verdict})"


def per_second(step: Callable[[], None], seconds: float) -> float:
    """How many times per second `step` runs, run over and over for `seconds`."""
    done, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        step()
        done += 1
    return done / (time.monotonic() - start)
