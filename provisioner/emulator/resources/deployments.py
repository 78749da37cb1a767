"""Microsoft.Resources/deployments at resource-group scope: create (asynchronous, as in Azure: 201 with
`provisioningState: Accepted` and an `Azure-AsyncOperation` status URL), validate, get, list, delete,
and each deployment's operations. The template runs in template_engine.py; as everywhere in the local
cloud the effect is applied at once and only its reporting is asynchronous.

Only `Incremental` mode is implemented (`Complete` is refused: it would delete what the template does
not name), templates come inline (`templateLink` is refused: the local cloud fetches nothing)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.authz import authorize, can
from provisioner.emulator.arm.ids import group_id
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.scopes import require_group
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.resources import jsonc
from provisioner.emulator.resources.cascade import delete_tree
from provisioner.emulator.resources.template_engine import Outcome, Plan, deferred_reader, plan, run
from provisioner.emulator.resources.template_functions import TemplateContext

routes = RouteTable(Surface.ARM)
DEPLOYMENTS = "/subscriptions/{subscription}/resourcegroups/{group}/providers/Microsoft.Resources/deployments"
DEPLOYMENT = DEPLOYMENTS + "/{deployment}"
# The operations of a deployment are also served without `providers/Microsoft.Resources` (the REST
# spec's own path for them, which az uses).
OPERATIONS_PATHS = (
    DEPLOYMENT + "/operations",
    "/subscriptions/{subscription}/resourcegroups/{group}/deployments/{deployment}/operations",
)
DEPLOYMENT_TYPE = "Microsoft.Resources/deployments"
OPERATION_TYPE = "Microsoft.Resources/deployments/operations"
ACTIONS = "Microsoft.Resources/deployments"
RETRY_AFTER_SECONDS = "1"
_NAME = re.compile(r"^[-\w._()]{1,64}$")


def _now() -> str:
    """ARM's timestamp form: seven fractional digits and `Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _deployment_id(call: Call) -> str:
    group = group_id(call.params["subscription"], call.params["group"])
    return f"{group}/providers/{DEPLOYMENT_TYPE}/{call.params['deployment']}"


def _checked(call: Call, action: str) -> str:
    """The deployment's id, once its group exists and the caller may do `action` on it."""
    subscription, group = call.params["subscription"], call.params["group"]
    authorize(call, f"{ACTIONS}/{action}", group_id(subscription, group))
    require_group(call.cloud, subscription, group)
    _check_name(call.params["deployment"])
    return _deployment_id(call)


def _check_name(name: str) -> None:
    if _NAME.match(name):
        return
    message = (
        f"The deployment name '{name}' is invalid. It can contain only alphanumeric characters, underscores, "
        "parentheses, hyphens and periods, and be at most 64 characters long."
    )
    raise CloudServiceError(400, "InvalidDeploymentName", message)


def _planned(call: Call) -> tuple[Plan, dict[str, Any]]:
    request = jsonc.loads(call.body_bytes) if call.body_bytes.strip() else {}
    if not isinstance(request, dict):
        raise CloudServiceError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    properties = request.get("properties")
    if not isinstance(properties, dict):
        raise CloudServiceError(400, "InvalidRequestContent", "The request content must have 'properties'.")
    mode = str(properties.get("mode", ""))
    if mode.lower() != "incremental":
        raise CloudServiceError(
            400,
            "InvalidDeploymentMode" if mode.lower() == "complete" else "InvalidRequestContent",
            f"The deployment mode '{mode}' is not supported by the local cloud: only 'Incremental' is.",
        )
    if "templateLink" in properties or "parametersLink" in properties:
        raise CloudServiceError(
            400, "InvalidTemplate", "The local cloud fetches no template or parameters link: send them inline."
        )
    group = call.cloud.store.get_resource(group_id(call.params["subscription"], call.params["group"]))
    identity = call.cloud.identity
    context = TemplateContext(
        subscription_id=identity.subscription_id,
        tenant_id=identity.tenant_id,
        group=group.body if group else {},
        deployment_name=call.params["deployment"],
        parameters={},
        variables={},
        read_reference=deferred_reader,
    )
    template = properties.get("template")
    return plan(template, properties.get("parameters"), context), {"template": template, "tags": request.get("tags")}


def _body(call: Call, planned: Plan, template: Any, state: str, outcome: Outcome | None) -> dict[str, Any]:
    now = _now()
    properties: dict[str, Any] = {
        "templateHash": str(int(hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:15], 16)),
        "parameters": planned.parameters_view,
        "mode": "Incremental",
        "provisioningState": state,
        "timestamp": now,
        "duration": "PT0S",
        "correlationId": call.request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4()),
        "providers": _providers(planned, call.params["group"]),
        "dependencies": _dependencies(planned),
    }
    if outcome is not None:
        properties["outputs"] = outcome.outputs
        properties["outputResources"] = [
            {"id": operation.resource.id} for operation in outcome.operations if operation.error is None
        ]
        if outcome.error is not None:
            properties["error"] = outcome.error
    return {
        "id": _deployment_id(call),
        "name": call.params["deployment"],
        "type": DEPLOYMENT_TYPE,
        "properties": properties,
    }


def _providers(planned: Plan, group: str) -> list[dict[str, Any]]:
    types: dict[str, list[str]] = {}
    for resource in planned.resources:
        namespace, _, rest = resource.type.partition("/")
        types.setdefault(namespace, [])
        if rest not in types[namespace]:
            types[namespace].append(rest)
    location = str(planned.context.group.get("location", ""))
    return [
        {"namespace": namespace, "resourceTypes": [{"resourceType": kind, "locations": [location]} for kind in kinds]}
        for namespace, kinds in types.items()
    ]


def _dependencies(planned: Plan) -> list[dict[str, Any]]:
    by_key = {
        key.lower(): item for item in planned.resources for key in (item.id, f"{item.type}/{item.name}", item.name)
    }

    def ref(item: Any) -> dict[str, str]:
        return {"id": item.id, "resourceType": item.type, "resourceName": item.name}

    return [
        ref(resource) | {"dependsOn": [ref(by_key[name.lower()]) for name in resource.depends_on]}
        for resource in planned.resources
        if resource.depends_on
    ]


@routes.put(DEPLOYMENT)
async def create_deployment(call: Call) -> Response:
    deployment_id = _checked(call, "write")
    planned, request = _planned(call)
    outcome = await run(call, planned)
    state = "Failed" if outcome.error else "Succeeded"
    body = _body(call, planned, request["template"], state, outcome)
    if request["tags"]:
        body["tags"] = request["tags"]
    store = call.cloud.store
    with store.transaction():
        delete_tree(store, deployment_id)
        store.put_resource(deployment_id, DEPLOYMENT_TYPE, deployment_id.split("/providers/")[0], body)
        for operation in outcome.operations:
            record = operation.body(deployment_id)
            store.put_resource(record["id"], OPERATION_TYPE, deployment_id, record)
    operation_id = str(uuid.uuid4())
    status: dict[str, Any] = {"status": state}
    if outcome.error:
        status["error"] = outcome.error
    store.put_operation(operation_id, status, call.cloud.faults.settings.async_polls)
    url = f"{call.base_url}{deployment_id}/operationStatuses/{operation_id}?api-version={call.api_version}"
    accepted = body | {"properties": body["properties"] | {"provisioningState": "Accepted"}}
    headers = {"Azure-AsyncOperation": url, "Retry-After": RETRY_AFTER_SECONDS}
    return arm_json(accepted, 201, headers)


@routes.get(DEPLOYMENT + "/operationStatuses/{operation}")
async def deployment_status(call: Call) -> Response:
    _checked(call, "read")
    polled = call.cloud.store.poll_operation(call.params["operation"])
    if polled is None:
        raise CloudServiceError(404, "OperationNotFound", f"The operation '{call.params['operation']}' was not found.")
    record, polls_left = polled
    if polls_left > 1:
        return arm_json({"status": "Running"}, headers={"Retry-After": RETRY_AFTER_SECONDS})
    return arm_json(record)


@routes.post(DEPLOYMENT + "/validate")
async def validate_deployment(call: Call) -> Response:
    _checked(call, "validate/action")
    planned, request = _planned(call)
    body = _body(call, planned, request["template"], "Succeeded", None)
    body["properties"]["validatedResources"] = [{"id": resource.id} for resource in planned.resources]
    return arm_json(body)


def _existing(call: Call, action: str) -> StoredResource:
    deployment_id = _checked(call, action)
    found = call.cloud.store.get_resource(deployment_id)
    if found is None:
        raise CloudServiceError(
            404, "DeploymentNotFound", f"Deployment '{call.params['deployment']}' could not be found."
        )
    return found


@routes.get(DEPLOYMENT)
async def get_deployment(call: Call) -> Response:
    return arm_json(_existing(call, "read").body)


@routes.add("HEAD", DEPLOYMENT)
async def deployment_exists(call: Call) -> Response:
    _existing(call, "read")
    return no_content(204)


@routes.delete(DEPLOYMENT)
async def delete_deployment(call: Call) -> Response:
    deployment_id = _checked(call, "delete")
    if call.cloud.store.get_resource(deployment_id) is None:
        return no_content(204)
    delete_tree(call.cloud.store, deployment_id)
    operation_id = str(uuid.uuid4())
    call.cloud.store.put_operation(operation_id, {"status": "Succeeded"}, call.cloud.faults.settings.async_polls)
    location = f"{call.base_url}{deployment_id}/operationStatuses/{operation_id}?api-version={call.api_version}"
    return no_content(202, {"Location": location, "Retry-After": RETRY_AFTER_SECONDS})


@routes.get(DEPLOYMENTS)
async def list_deployments(call: Call) -> Response:
    subscription, group = call.params["subscription"], call.params["group"]
    require_group(call.cloud, subscription, group)
    scope = group_id(subscription, group)
    found = call.cloud.store.list_resources(parent=scope, resource_type=DEPLOYMENT_TYPE)
    return paged(call, [item.body for item in found if can(call, f"{ACTIONS}/read", item.id)])


@routes.get(OPERATIONS_PATHS[0])
@routes.get(OPERATIONS_PATHS[1])
async def list_operations(call: Call) -> Response:
    found = _existing(call, "operations/read")
    operations = call.cloud.store.list_resources(parent=found.id, resource_type=OPERATION_TYPE)
    return paged(call, [item.body for item in operations])


@routes.get(OPERATIONS_PATHS[0] + "/{operation}")
@routes.get(OPERATIONS_PATHS[1] + "/{operation}")
async def get_operation(call: Call) -> Response:
    found = _existing(call, "operations/read")
    operation = call.cloud.store.get_resource(f"{found.id}/operations/{call.params['operation']}")
    if operation is None:
        raise CloudServiceError(
            404, "DeploymentOperationNotFound", f"Deployment operation '{call.params['operation']}' could not be found."
        )
    return arm_json(operation.body)
