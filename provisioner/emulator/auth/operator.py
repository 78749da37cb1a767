"""Who may use the control API (`/_cloud/...`): the operator, and nobody else on the machine.

The control API hands out what only the cloud's owner should have (a web app's identity secret, any
VM's metadata endpoint and so any managed identity's token, reset, faults), so every call must carry
either the operator's ARM token (`Authorization: Bearer ...`, the principal `provision cloud env`
signs in as) or the control key kept next to the operator's secret in the 0600 `cloud.json`
(`X-Control-Key`). The key is compared in constant time and never repeated in an answer.
"""

from __future__ import annotations

import hmac

from provisioner.emulator.core import config
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError

CONTROL_KEY_HEADER = "x-control-key"
REFUSAL = (
    "The local cloud's control API needs the operator's credential: the operator principal's ARM token "
    "(Authorization: Bearer ...) or the control key from the data dir's cloud.json (X-Control-Key header)."
)


def refused(detail: str = "") -> CloudServiceError:
    return CloudServiceError(401, "Unauthorized", REFUSAL + (f" {detail}" if detail else ""))


def require_operator(call: Call) -> None:
    """Return when the caller is the operator; 401 Unauthorized otherwise."""
    identity = call.cloud.identity
    key = call.request.headers.get(CONTROL_KEY_HEADER)
    if key is not None:
        if identity.control_key and hmac.compare_digest(key.encode(), identity.control_key.encode()):
            return
        raise refused("The control key does not match.")
    scheme, _, token = call.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise refused()
    try:
        claims = call.cloud.tokens.validate(token.strip(), audiences=config.ARM_AUDIENCES)
    except CloudServiceError as invalid:
        raise refused(f"The token was refused: {invalid.code}.") from None
    if str(claims.get("oid", "")).lower() != identity.operator_object_id.lower():
        raise refused("The token does not belong to the operator principal.")
