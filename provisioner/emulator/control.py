"""The control API under `/_cloud/` (no Azure path starts so): reset, faults, request log, status,
and the per-VM managed-identity endpoint a program uses to act "inside" a VM."""

from __future__ import annotations

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.auth.imds import VM_TYPE, imds_authority
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface

routes = RouteTable(Surface.CONTROL)


@routes.post("/_cloud/reset", authenticated=False)
async def reset(call: Call) -> Response:
    call.cloud.reset()
    return no_content(204)


@routes.get("/_cloud/faults", authenticated=False)
async def get_faults(call: Call) -> Response:
    return arm_json(call.cloud.faults.settings.to_json())


@routes.put("/_cloud/faults", authenticated=False)
async def put_faults(call: Call) -> Response:
    call.cloud.faults.update(call.json())
    return arm_json(call.cloud.faults.settings.to_json())


@routes.get("/_cloud/requests", authenticated=False)
async def get_requests(call: Call) -> Response:
    since = call.query_value("since") or "0"
    if not since.isdigit():
        raise CloudServiceError(400, "InvalidParameter", "'since' must be a request sequence number.")
    include = (call.query_value("records") or "true").lower() != "false"
    return arm_json(call.cloud.log.summary(int(since), include_records=include))


@routes.delete("/_cloud/requests", authenticated=False)
async def clear_requests(call: Call) -> Response:
    call.cloud.log.clear()
    return no_content(204)


@routes.get("/_cloud/status", authenticated=False)
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
        }
    )


@routes.get("/_cloud/vm-identity-endpoint", authenticated=False)
async def vm_identity_endpoint(call: Call) -> Response:
    resource_id = call.query_value("id") or ""
    vm = call.cloud.store.get_resource(resource_id)
    if vm is None or vm.type != VM_TYPE:
        raise CloudServiceError(404, "ResourceNotFound", f"No virtual machine with id '{resource_id}'.")
    return arm_json({"authority_host": imds_authority(call.base_url, vm)})


# ---- SQL database endpoints and App Service identity endpoints -------------------------------


@routes.get("/_cloud/sql-endpoint", authenticated=False)
async def sql_endpoint(call: Call) -> Response:
    """Where a database's T-SQL authorization endpoint is (see sql/database_routes.py)."""
    from provisioner.emulator.sql.database_routes import endpoint_for

    return arm_json(endpoint_for(call, call.query_value("id") or ""))


@routes.get("/_cloud/web-app-identity-endpoint", authenticated=False)
async def web_app_identity_endpoint(call: Call) -> Response:
    """IDENTITY_ENDPOINT and IDENTITY_HEADER of a web app (see web/identity_routes.py)."""
    from provisioner.emulator.web.identity_routes import identity_environment

    return arm_json(identity_environment(call, call.query_value("id") or ""))
