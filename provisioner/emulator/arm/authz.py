"""ARM authorization on every call: 403 AuthorizationFailed in Azure's words."""

from __future__ import annotations

from provisioner.emulator.arm.access import is_allowed
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError


def authorize(call: Call, action: str, scope: str) -> None:
    caller = call.caller
    if is_allowed(call.cloud.store, caller.object_id, action, scope):
        return
    client = caller.app_id or caller.object_id
    raise CloudServiceError(
        403,
        "AuthorizationFailed",
        f"The client '{client}' with object id '{caller.object_id}' does not have authorization to perform "
        f"action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
        "please refresh your credentials.",
    )


def can(call: Call, action: str, scope: str) -> bool:
    return is_allowed(call.cloud.store, call.caller.object_id, action, scope)
