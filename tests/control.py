"""The local cloud's control API (`/_cloud/...`) as the tests call it: always with the operator's control key."""

from __future__ import annotations

import json
import ssl
import urllib.request
from typing import Any

from provisioner.emulator.auth.operator import CONTROL_KEY_HEADER
from provisioner.emulator.server import LocalCloudServer


def control_headers(server: LocalCloudServer) -> dict[str, str]:
    """The header that authorizes control calls: the key kept in the data dir's cloud.json."""
    return {CONTROL_KEY_HEADER: server.cloud.identity.control_key}


def control(server: LocalCloudServer, method: str, path: str, body: Any = None) -> Any:
    """Call a control endpoint as the operator; the decoded JSON answer (None when empty)."""
    context = ssl.create_default_context(cafile=str(server.ca_cert))
    data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=control_headers(server))
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw.strip() else None
