"""The allow-list (differences that are the recording's own) and the known gaps (the local cloud's, issue #16)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.replay.runner import Outcome

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Listed:
    interaction: str
    reason: str


def _read(name: str) -> dict[str, Listed]:
    entries = json.loads((DATA / name).read_text())["entries"]
    listed = {entry["interaction"]: Listed(entry["interaction"], entry["reason"]) for entry in entries}
    assert all(entry.reason.strip() for entry in listed.values()), f"{name}: every entry needs its reason"
    return listed


def allowed() -> dict[str, Listed]:
    return _read("replay-allowlist.json")


def known_gaps() -> dict[str, Listed]:
    return _read("replay-gaps.json")


def differences(outcome: Outcome) -> list[str]:
    status = [] if outcome.status_ok else [f"status {outcome.status[0]} -> {outcome.status[1]}"]
    return status + outcome.shape + outcome.headers


def count(outcomes: list[Outcome]) -> dict[str, int]:
    """How many interactions matched in status, in status and shape, and fully (headers too)."""
    return {
        "interactions": len(outcomes),
        "status": sum(o.status_ok for o in outcomes),
        "status+shape": sum(o.status_ok and not o.shape for o in outcomes),
        "full": sum(o.full for o in outcomes),
    }
