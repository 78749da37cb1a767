"""Hints for a misspelt name: the closest candidate, and word lists in prose."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def join_words(words: Iterable[str], conjunction: str) -> str:
    """`a, b and c` (or `a, b or c`)."""
    *others, last = words
    return f"{', '.join(others)} {conjunction} {last}" if others else last


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the candidate closest to `word` (ignoring case), if one is close enough."""
    by_lower = {candidate.lower(): candidate for candidate in candidates}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"did you mean '{by_lower[matches[0]]}'?" if matches else None
