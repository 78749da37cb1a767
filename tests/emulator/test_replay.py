"""Azure's own traffic (SDK recordings, spec examples) replayed on fresh local clouds, and compared.

Each mismatch must be the recording's own (tests/data/replay-allowlist.json) or a listed gap of the
local cloud still to be closed (tests/data/replay-gaps.json, issue #16); a listed gap that now
matches must leave the list, so the list only shrinks.
"""

from __future__ import annotations

import pytest

from tests.replay.examples import examples, unlisted
from tests.replay.recordings import Recording, recordings
from tests.replay.runner import Outcome, replay
from tests.replay.verdict import allowed, count, differences, known_gaps


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    found: list[Outcome] = []
    for recording in [*recordings(), *examples()]:
        found.extend(replay(recording))
    counts = count(found)
    print("\nreplay of azure-reference:", ", ".join(f"{n} {k}" for k, n in counts.items()))
    return found


def test_every_recording_is_read() -> None:
    read: list[Recording] = recordings()
    assert len(read) == 8
    assert all(recording.interactions for recording in read)


def test_every_spec_example_is_in_the_table() -> None:
    assert unlisted() == []
    assert len(examples()) >= 25


def test_every_mismatch_is_listed_with_its_reason(outcomes: list[Outcome]) -> None:
    listed = allowed() | known_gaps()
    unexplained = {o.key: differences(o) for o in outcomes if not o.full and o.key not in listed}
    assert unexplained == {}


def test_no_listed_gap_has_been_closed_silently(outcomes: list[Outcome]) -> None:
    listed = allowed() | known_gaps()
    matching = {o.key for o in outcomes if o.full}
    stale = sorted(key for key in listed if key in matching)
    unknown = sorted(set(listed) - {o.key for o in outcomes})
    assert stale == [] and unknown == []
