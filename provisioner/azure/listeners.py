"""Where the local cloud's database listeners are (TDS, PostgreSQL): its control API says, and answers
only the operator (the target's own ARM token)."""

from __future__ import annotations

import ssl

import certifi
import httpx

from provisioner.azure.errors import cloud_error
from provisioner.azure.target import Target

TIMEOUT_SECONDS = 30.0


def local_listener(target: Target, name: str) -> tuple[str, int, str]:
    """(host, port, CA file) of `GET /_cloud/<name>`."""
    token = target.credential.get_token(target.profile.arm_scope).token
    ca = str(target.ca_bundle) if target.ca_bundle else certifi.where()
    try:
        with httpx.Client(verify=ssl.create_default_context(cafile=ca), timeout=TIMEOUT_SECONDS) as http:
            answer = http.get(
                f"{target.profile.arm_endpoint}/_cloud/{name}", headers={"Authorization": f"Bearer {token}"}
            )
        body = answer.json()
    except (httpx.HTTPError, ValueError) as failure:
        raise cloud_error(None, "ControlApiFailed", f"the local cloud's control API failed: {failure}") from None
    if answer.is_error:
        raise cloud_error(answer.status_code, "ControlApiFailed", answer.text[:200])
    return str(body["host"]), int(body["port"]), ca
