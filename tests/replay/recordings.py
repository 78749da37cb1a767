"""Recorded interactions, read from vcrpy YAML and test-proxy JSON recordings, in recorded order."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "azure-reference"


@dataclass(frozen=True)
class Interaction:
    method: str
    uri: str
    request_body: str | None
    status: int
    headers: dict[str, str]
    body: str | None
    request_headers: dict[str, str] = field(default_factory=dict)
    # a spec example's other documented answers: status -> (headers, body)
    alternatives: dict[int, tuple[dict[str, str], str | None]] = field(default_factory=dict)
    scored: bool = True

    def answer_for(self, status: int) -> tuple[int, dict[str, str], str | None]:
        if status in self.alternatives:
            headers, body = self.alternatives[status]
            return status, headers, body
        return self.status, self.headers, self.body


@dataclass(frozen=True)
class Recording:
    name: str
    interactions: list[Interaction]


def _first(value: Any) -> str:
    return str(value[0]) if isinstance(value, list) else str(value)


def _lower(headers: dict[str, Any] | None) -> dict[str, str]:
    return {str(key).lower(): _first(value) for key, value in (headers or {}).items()}


def _unwrapped(body: Any) -> str | None:
    """A vcrpy body; old recordings hold it as nested Python bytes reprs (b'b\\'{...}\\''), unwrapped here."""
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, bytes):
        body = body.decode()
    while isinstance(body, str) and body.startswith(("b'", 'b"')):
        body = ast.literal_eval(body).decode()
    return body if isinstance(body, str) else None


def _vcr(path: Path) -> Recording:
    data = yaml.safe_load(path.read_text())
    interactions = []
    for item in data.get("interactions", []):
        request, response = item["request"], item["response"]
        body = response.get("body", {}).get("string")
        interactions.append(
            Interaction(
                method=request["method"],
                uri=request["uri"],
                request_body=_unwrapped(request.get("body")),
                status=int(response["status"]["code"]),
                headers=_lower(response.get("headers")),
                body=body if isinstance(body, str) else None,
                request_headers=_lower(request.get("headers")),
            )
        )
    return Recording(path.name, interactions)


def _proxy(path: Path) -> Recording:
    data = json.loads(path.read_text())
    interactions = []
    for entry in data.get("Entries", []):
        body = entry.get("ResponseBody")
        request_body = entry.get("RequestBody")
        interactions.append(
            Interaction(
                method=entry["RequestMethod"],
                uri=entry["RequestUri"],
                request_body=request_body
                if isinstance(request_body, str) or request_body is None
                else json.dumps(request_body),
                status=int(entry["StatusCode"]),
                headers=_lower(entry.get("ResponseHeaders")),
                body=json.dumps(body) if isinstance(body, (dict, list)) else body,
                request_headers=_lower(entry.get("RequestHeaders")),
            )
        )
    return Recording(path.name, interactions)


def recordings() -> list[Recording]:
    """Every SDK recording under sdk-recordings/, sorted by file name."""
    found = []
    for path in sorted((REFERENCE / "sdk-recordings").rglob("*")):
        if path.suffix == ".yaml":
            found.append(_vcr(path))
        elif path.suffix == ".json":
            found.append(_proxy(path))
    return found
