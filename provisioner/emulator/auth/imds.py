"""The Instance Metadata Service's token endpoint, one per VM.

A program acts "inside" a VM by pointing AZURE_POD_IDENTITY_AUTHORITY_HOST at
`https://127.0.0.1:PORT/_imds/{vmId}`; azure-identity's ManagedIdentityCredential then calls
`{that}/metadata/identity/oauth2/token` exactly as it would call 169.254.169.254.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse, Response

from provisioner.emulator.auth.attached import AttachedIdentity, attached_identities, select_identity
from provisioner.emulator.auth.resources import UNKNOWN_RESOURCE_CODE, is_known_resource, unknown_resource
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface

routes = RouteTable(Surface.IMDS)
IMDS_PREFIX = "/_imds"
VM_TYPE = "microsoft.compute/virtualmachines"
FORWARDED = "Request contains the X-Forwarded-For header: IMDS does not answer requests relayed by a proxy"


def imds_authority(base_url: str, vm: StoredResource) -> str:
    return f"{base_url}{IMDS_PREFIX}/{vm.body['properties']['vmId']}"


def _vm_by_vm_id(call: Call, vm_id: str) -> StoredResource:
    for vm in call.cloud.store.list_resources(resource_type=VM_TYPE):
        if vm.body["properties"]["vmId"].lower() == vm_id.lower():
            return vm
    raise CloudServiceError(404, "not_found", "The VM this metadata endpoint belonged to no longer exists.")


@routes.get(IMDS_PREFIX + "/{vm}/metadata/identity/oauth2/token", authenticated=False)
async def imds_token(call: Call) -> Response:
    # IMDS's SSRF guards: a request relayed by a proxy, or one a program did not mean for IMDS, is refused.
    if "x-forwarded-for" in call.request.headers:
        raise CloudServiceError(400, "invalid_request", FORWARDED)
    if call.request.headers.get("metadata", "").lower() != "true":
        raise CloudServiceError(400, "invalid_request", "Required metadata header not specified")
    resource = call.query_value("resource")
    if not resource:
        raise CloudServiceError(400, "invalid_request", "Required query variable 'resource' is missing")
    if not is_known_resource(resource, call.base_url):
        raise CloudServiceError(400, "invalid_resource", _entra_refusal(call, resource))
    vm = _vm_by_vm_id(call, call.params["vm"])
    selector = _selector(call)
    identity = select_identity(attached_identities(call.cloud.store, vm), selector)
    return JSONResponse(token_response(call, identity, resource))


def _entra_refusal(call: Call, resource: str) -> str:
    """Entra's AADSTS500011 as IMDS passes it on: the description, then trace, correlation and time lines."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return (
        f"AADSTS{UNKNOWN_RESOURCE_CODE}: {unknown_resource(resource, call.cloud.identity.tenant_id)}\r\n"
        f"Trace ID: {call.request_id}\r\nCorrelation ID: {uuid.uuid4()}\r\nTimestamp: {stamp}"
    )


def _selector(call: Call) -> tuple[str, str] | None:
    chosen = [(key, value) for key in ("client_id", "object_id", "msi_res_id") if (value := call.query_value(key))]
    if len(chosen) > 1:
        raise CloudServiceError(
            400, "invalid_request", "Only one of client_id, object_id or msi_res_id may be specified"
        )
    return chosen[0] if chosen else None


def token_response(call: Call, identity: AttachedIdentity, resource: str) -> dict[str, Any]:
    """IMDS's token response: every field a string, as the real service sends it."""
    issued = call.cloud.tokens.issue(
        audience=resource,
        object_id=identity.principal_id,
        app_id=identity.client_id,
        extra_claims={"xms_mirid": identity.resource_id},
    )
    return {
        "access_token": issued.token,
        "client_id": identity.client_id,
        "expires_in": str(issued.expires_in),
        "expires_on": str(issued.expires_on),
        "ext_expires_in": str(issued.expires_in),
        "not_before": str(issued.not_before),
        "resource": resource,
        "token_type": "Bearer",
    }
