"""The control API under `/_cloud/` (no Azure path starts so): reset, faults, request log, status,
and the per-VM managed-identity endpoint a program uses to act "inside" a VM.

Every route answers only the operator (see auth/operator.py): `_guarded` wraps each handler.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.auth.imds import VM_TYPE, imds_authority
from provisioner.emulator.auth.operator import require_operator
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import Handler, RouteTable
from provisioner.emulator.core.surface import Surface

routes = RouteTable(Surface.CONTROL)


def _guarded(method: str, template: str) -> Callable[[Handler], Handler]:
    """Register a control route that refuses (401) any caller but the operator."""

    def register(handler: Handler) -> Handler:
        async def guarded(call: Call) -> Response:
            require_operator(call)
            return await handler(call)

        routes.add(method, template, authenticated=False, operation=handler.__name__)(guarded)
        return handler

    return register


@_guarded("POST", "/_cloud/reset")
async def reset(call: Call) -> Response:
    call.cloud.reset()
    return no_content(204)


@_guarded("GET", "/_cloud/faults")
async def get_faults(call: Call) -> Response:
    return arm_json(call.cloud.faults.settings.to_json())


@_guarded("PUT", "/_cloud/faults")
async def put_faults(call: Call) -> Response:
    call.cloud.faults.update(call.json())
    return arm_json(call.cloud.faults.settings.to_json())


@_guarded("GET", "/_cloud/requests")
async def get_requests(call: Call) -> Response:
    since = call.query_value("since") or "0"
    if not since.isdigit():
        raise CloudServiceError(400, "InvalidParameter", "'since' must be a request sequence number.")
    include = (call.query_value("records") or "true").lower() != "false"
    return arm_json(call.cloud.log.summary(int(since), include_records=include))


@_guarded("DELETE", "/_cloud/requests")
async def clear_requests(call: Call) -> Response:
    call.cloud.log.clear()
    return no_content(204)


@_guarded("GET", "/_cloud/status")
async def status(call: Call) -> Response:
    identity = call.cloud.identity
    store = call.cloud.store
    return arm_json(
        {
            "url": call.base_url,
            "tenant_id": identity.tenant_id,
            "subscription_id": identity.subscription_id,
            "operator_client_id": identity.operator_client_id,
            "data_dir": str(call.cloud.data_dir),
            "resources": len(store.list_resources()),
            "directory_objects": len(store.find_directory_objects()),
            "faults": call.cloud.faults.settings.to_json(),
            "sql_tds": _tds_text(call),
            "postgres": _address_text(call.cloud.postgres_address),
            "holdings": _holdings(call),
        }
    )


def _holdings(call: Call) -> dict[str, dict[str, list[str]]]:
    """What the cloud holds: resource ids by type, directory objects' display names by kind."""
    resources: dict[str, list[str]] = {}
    for resource in call.cloud.store.list_resources():
        resources.setdefault(str(resource.body.get("type") or resource.type), []).append(resource.id)
    directory: dict[str, list[str]] = {}
    for item in call.cloud.store.find_directory_objects():
        directory.setdefault(item.kind, []).append(item.display_name)
    return {
        "resources": {kind: sorted(ids) for kind, ids in sorted(resources.items())},
        "directory": {kind: sorted(names) for kind, names in sorted(directory.items())},
    }


@_guarded("GET", "/_cloud/vm-identity-endpoint")
async def vm_identity_endpoint(call: Call) -> Response:
    resource_id = call.query_value("id") or ""
    vm = call.cloud.store.get_resource(resource_id)
    if vm is None or vm.type != VM_TYPE:
        raise CloudServiceError(404, "ResourceNotFound", f"No virtual machine with id '{resource_id}'.")
    return arm_json({"authority_host": imds_authority(call.base_url, vm)})


# ---- SQL database endpoints and App Service identity endpoints -------------------------------


def _tds_text(call: Call) -> str | None:
    return _address_text(call.cloud.tds_address)


def _address_text(address: tuple[str, int] | None) -> str | None:
    return f"{address[0]}:{address[1]}" if address else None


@_guarded("GET", "/_cloud/sql-tds")
async def sql_tds(call: Call) -> Response:
    """The TDS listener every local SQL server answers on (LOGIN7's ServerName picks the server)."""
    return _listener(call.cloud.tds_address, "TDS")


@_guarded("GET", "/_cloud/postgres")
async def postgres_listener(call: Call) -> Response:
    """The PostgreSQL listener every local flexible server answers on (the TLS SNI host picks the server)."""
    return _listener(call.cloud.postgres_address, "PostgreSQL")


def _listener(address: tuple[str, int] | None, protocol: str) -> Response:
    if address is None:
        raise CloudServiceError(404, "NotServed", f"This local cloud serves no {protocol} listener.")
    return arm_json({"host": address[0], "port": address[1]})


@_guarded("GET", "/_cloud/web-app-identity-endpoint")
async def web_app_identity_endpoint(call: Call) -> Response:
    """IDENTITY_ENDPOINT and IDENTITY_HEADER of a web app (see web/identity_routes.py)."""
    from provisioner.emulator.web.identity_routes import identity_environment

    return arm_json(identity_environment(call, call.query_value("id") or ""))
