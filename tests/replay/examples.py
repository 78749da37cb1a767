"""REST spec examples (parameters + responses) as one-interaction recordings, with what each presupposes.

An example names no method or path; tests/data/replay-examples.json gives them (from the example's
own spec) and the examples to replay first, unscored, e.g. the create before a get.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.replay.recordings import REFERENCE, Interaction, Recording

SPECS = REFERENCE / "rest-api-specs"
PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TABLE = Path(__file__).resolve().parents[1] / "data" / "replay-examples.json"


def _table() -> dict[str, dict[str, Any]]:
    examples: dict[str, dict[str, Any]] = json.loads(TABLE.read_text())["examples"]
    return examples


# Spec examples carry placeholder passwords ("{your-password}") that Azure refuses too; like the SDK
# test proxy's sanitizers, the replay puts a compliant one in their place.
PASSWORD_FIELDS = ("adminPassword", "administratorLoginPassword")
REPLAY_PASSWORD = "Replay-Passw0rd-1234"


def _with_password(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REPLAY_PASSWORD if k in PASSWORD_FIELDS else _with_password(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_password(item) for item in value]
    return value


def _interaction(name: str, overrides: dict[str, str], scored: bool) -> Interaction:
    how = _table()[name]
    example = json.loads((SPECS / name).read_text())
    # placeholders such as "subid" or "{subscription-id}" become an id the replay rewrites to the cloud's
    parameters = {**example["parameters"], **overrides, "subscriptionId": PLACEHOLDER_SUBSCRIPTION}
    path = str(how["path"])
    for key, value in parameters.items():
        if isinstance(value, str):
            path = path.replace("{" + key + "}", value.strip("/"))
    query = {"api-version": parameters["api-version"], **{key: parameters[key] for key in how.get("query", [])}}
    body = _with_password(parameters.get(how["body"])) if "body" in how else None
    answers = {int(code): answer for code, answer in example["responses"].items()}
    status = min(answers)
    return Interaction(
        method=how["method"],
        uri=f"https://management.azure.com{path}?{urlencode(query)}",
        request_body=json.dumps(body) if body is not None else None,
        status=status,
        headers={key.lower(): str(value) for key, value in answers[status].get("headers", {}).items()},
        body=json.dumps(answers[status]["body"]) if "body" in answers[status] else None,
        alternatives={code: _body(answer) for code, answer in answers.items()},
        scored=scored,
    )


def _body(answer: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    headers = {key.lower(): str(value) for key, value in answer.get("headers", {}).items()}
    return headers, json.dumps(answer["body"]) if "body" in answer else None


def _prerequisite(entry: str | dict[str, Any]) -> Interaction:
    if isinstance(entry, str):
        return _interaction(entry, {}, scored=False)
    return _interaction(str(entry["example"]), dict(entry.get("with", {})), scored=False)


def examples() -> list[Recording]:
    """Every example the table says how to send, with its prerequisites first; skipped ones are left out."""
    found = []
    for name, how in sorted(_table().items()):
        if "skip" in how:
            continue
        before = [_prerequisite(entry) for entry in how.get("after", [])]
        found.append(Recording(name, [*before, _interaction(name, {}, scored=True)]))
    return found


def unlisted() -> list[str]:
    """Example files under rest-api-specs/ the table does not mention (should be none)."""
    listed = set(_table())
    files = (path for path in SPECS.rglob("*.json") if "common-types" not in path.parts and path.name != "imds.json")
    return sorted(str(path.relative_to(SPECS)) for path in files if str(path.relative_to(SPECS)) not in listed)
