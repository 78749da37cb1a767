"""Running an ARM template at resource-group scope: parameters checked against their declarations,
resources (and their nested child resources) put in `dependsOn` order, each through the local cloud's
own ARM routes as the deploying principal (so each resource type's rules and RBAC apply), then the
outputs. Template errors are ARM's 400 InvalidTemplate before anything is created; a resource the
cloud refuses fails the deployment (DeploymentFailed with that refusal in its details), and the
resources after it are not attempted. Secure parameters are used, never kept."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.resources.expressions import DEFERRED, Deferred, evaluate_value, invalid_template
from provisioner.emulator.resources.template_functions import TemplateContext, nest

META_KEYS = {"name", "type", "apiversion", "dependson", "condition", "copy", "comments", "scope", "resources"}
PARAMETER_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "securestring": (str,),
    "int": (int,),
    "bool": (bool,),
    "object": (dict,),
    "secureobject": (dict,),
    "array": (list,),
}
SECURE_TYPES = {"securestring": "SecureString", "secureobject": "SecureObject"}
AsyncReader = Callable[[str, str | None, bool], Awaitable[Any]]


@dataclass
class PlannedResource:
    id: str
    type: str
    name: str
    api_version: str
    definition: dict[str, Any]
    depends_on: list[str] = field(default_factory=list)


@dataclass
class Operation:
    id: str
    resource: PlannedResource
    status: int
    timestamp: str
    error: dict[str, Any] | None = None

    def body(self, deployment_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "provisioningOperation": "Create",
            "provisioningState": "Failed" if self.error else "Succeeded",
            "timestamp": self.timestamp,
            "duration": "PT0S",
            "trackingId": str(uuid.uuid4()),
            "statusCode": _status_name(self.status),
            "targetResource": {
                "id": self.resource.id,
                "resourceType": self.resource.type,
                "resourceName": self.resource.name,
            },
        }
        if self.error:
            properties["statusMessage"] = {"status": "Failed", "error": self.error}
        return {"id": f"{deployment_id}/operations/{self.id}", "operationId": self.id, "properties": properties}


@dataclass
class Plan:
    context: TemplateContext
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    parameters_view: dict[str, Any]


def plan(template: Any, supplied: Any, context: TemplateContext) -> Plan:
    """The template checked and its resources ordered; `context` gets the parameter values."""
    if not isinstance(template, dict) or "resources" not in template:
        raise invalid_template("The template must be a JSON object with a 'resources' property")
    declared = template.get("parameters") or {}
    context.variables = dict(template.get("variables") or {})
    context.parameters = _parameters(declared, supplied or {}, context)
    view = {name: _parameter_view(declared[name], value) for name, value in context.parameters.items()}
    resources = _order(_flatten(template["resources"], context))
    return Plan(context, resources, dict(template.get("outputs") or {}), view)


def _parameters(declared: dict[str, Any], supplied: dict[str, Any], context: TemplateContext) -> dict[str, Any]:
    unknown = [name for name in supplied if name not in declared]
    if unknown:
        raise invalid_template(
            "The following parameters were supplied, but do not correspond to any parameters defined in the "
            f"template: '{', '.join(unknown)}'"
        )
    values: dict[str, Any] = {}
    for name, declaration in declared.items():
        kind = str(declaration.get("type", "")).lower()
        if kind not in PARAMETER_TYPES:
            raise invalid_template(f"The template parameter '{name}' has an invalid type '{declaration.get('type')}'")
        given = supplied.get(name)
        if isinstance(given, dict) and "reference" in given:
            raise invalid_template(f"The template parameter '{name}' is a Key Vault reference, not supported here")
        if isinstance(given, dict) and "value" in given:
            value = given["value"]
        elif "defaultValue" in declaration:
            context.parameters = values
            value = evaluate_value(declaration["defaultValue"], context.scope())
        else:
            raise invalid_template(
                f"The value for the template parameter '{name}' at line '1' and column '1' is not provided. "
                "Please see https://aka.ms/arm-create-parameter-file for usage details"
            )
        _check_parameter(name, kind, declaration, value)
        values[name] = value
    return values


def _check_parameter(name: str, kind: str, declaration: dict[str, Any], value: Any) -> None:
    expected = PARAMETER_TYPES[kind]
    if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
        raise invalid_template(
            f"Template parameter JToken type is not valid. Expected '{declaration['type']}'. "
            f"Actual '{type(value).__name__}'. Please see https://aka.ms/arm-create-parameter-file for usage "
            f"details (parameter '{name}')"
        )
    size = len(value) if isinstance(value, str | list) else None
    low, high = declaration.get("minLength"), declaration.get("maxLength")
    if size is not None and ((low is not None and size < low) or (high is not None and size > high)):
        raise invalid_template(
            f"The provided value for the template parameter '{name}' is not valid. Its length must be between "
            f"{low if low is not None else 0} and {high if high is not None else 'unbounded'}"
        )
    allowed = declaration.get("allowedValues")
    if allowed is not None and value not in allowed:
        raise invalid_template(
            f"The provided value for the template parameter '{name}' is not valid. The value '{value}' is not part "
            f"of the allowed value(s): '{','.join(str(item) for item in allowed)}'"
        )


def _parameter_view(declaration: dict[str, Any], value: Any) -> dict[str, Any]:
    """How a deployment shows a parameter: a secure one by its type only, never its value."""
    kind = str(declaration["type"]).lower()
    if kind in SECURE_TYPES:
        return {"type": SECURE_TYPES[kind]}
    return {"type": kind.capitalize() if kind != "bool" else "Bool", "value": value}


def _flatten(
    definitions: Any, context: TemplateContext, parent: PlannedResource | None = None
) -> list[PlannedResource]:
    if isinstance(definitions, dict):  # languageVersion 2.0: symbolic names
        definitions = list(definitions.values())
    if not isinstance(definitions, list):
        raise invalid_template("The template 'resources' must be an array")
    planned: list[PlannedResource] = []
    for definition in definitions:
        if not isinstance(definition, dict):
            raise invalid_template("A template resource must be a JSON object")
        keys = {key.lower(): value for key, value in definition.items()}
        if "copy" in keys:
            raise invalid_template("Resource 'copy' loops are not supported by the local cloud")
        if "condition" in keys and not evaluate_value(keys["condition"], context.scope()):
            continue
        resource = _planned(definition, keys, context, parent)
        planned.append(resource)
        planned += _flatten(keys.get("resources") or [], context, resource)
    return planned


def _planned(
    definition: dict[str, Any], keys: dict[str, Any], context: TemplateContext, parent: PlannedResource | None
) -> PlannedResource:
    scope = context.scope()
    for required in ("name", "type", "apiversion"):
        if not keys.get(required):
            raise invalid_template(f"The template resource is missing the required property '{required}'")
    name, kind = str(evaluate_value(keys["name"], scope)), str(evaluate_value(keys["type"], scope))
    api_version = str(evaluate_value(keys["apiversion"], scope))
    depends_on = [str(evaluate_value(item, scope)) for item in keys.get("dependson") or []]
    if parent is not None and "/" not in kind:
        kind, name = f"{parent.type}/{kind}", f"{parent.name}/{name}"
        depends_on.append(parent.id)
    if keys.get("scope"):
        resource_id = f"{evaluate_value(keys['scope'], scope)}/providers/{kind}/{name}"
    else:
        group = f"/subscriptions/{context.subscription_id}/resourceGroups/{context.group['name']}"
        resource_id = f"{group}/providers/{nest(kind, name.split('/'))}"
    body = {key: value for key, value in definition.items() if key.lower() not in META_KEYS}
    return PlannedResource(resource_id, kind, name, api_version, body, depends_on)


def _order(resources: list[PlannedResource]) -> list[PlannedResource]:
    """Dependencies first; `dependsOn` names a resource by id, `type/name` or name, as ARM accepts."""
    by_key: dict[str, PlannedResource] = {}
    for resource in resources:
        for key in (resource.id, f"{resource.type}/{resource.name}", resource.name):
            by_key.setdefault(key.lower(), resource)
    ordered: list[PlannedResource] = []
    state: dict[str, str] = {}

    def visit(resource: PlannedResource) -> None:
        if state.get(resource.id) == "done":
            return
        if state.get(resource.id) == "visiting":
            raise invalid_template(f"Circular dependency detected on resource: '{resource.id}'")
        state[resource.id] = "visiting"
        for reference in resource.depends_on:
            needed = by_key.get(reference.lower())
            if needed is None:
                raise invalid_template(f"The resource '{reference}' is not defined in the template")
            visit(needed)
        state[resource.id] = "done"
        ordered.append(resource)

    for resource in resources:
        visit(resource)
    return ordered


@dataclass
class Outcome:
    operations: list[Operation]
    outputs: dict[str, Any]
    error: dict[str, Any] | None


async def run(call: Call, planned: Plan) -> Outcome:
    """Put every resource in order as the caller; stop at the first refusal."""
    dispatch = call.dispatch
    if dispatch is None:
        raise CloudServiceError(500, "InternalServerError", "The local cloud cannot dispatch to itself.")
    versions = {resource.id.lower(): resource.api_version for resource in planned.resources}
    names = {key.lower(): resource.id for resource in planned.resources for key in (resource.name, resource.id)}

    async def read(name: str, api_version: str | None, full: bool) -> Any:
        resource_id = names.get(name.lower(), name)
        version = api_version or versions.get(resource_id.lower())
        if version is None:
            raise invalid_template(f"The reference to '{name}' needs an api-version")
        answer = await dispatch(call, "GET", resource_id, version, None)
        return answer.body if full else (answer.body or {}).get("properties", {})

    operations: list[Operation] = []
    for resource in planned.resources:
        body = await _resolve(resource.definition, planned.context, read)
        timestamp = _now()
        try:
            answer = await dispatch(call, "PUT", resource.id, resource.api_version, body)
        except CloudServiceError as refused:
            error = {"code": refused.code, "message": refused.message}
            operations.append(Operation(_operation_id(), resource, refused.status, timestamp, error))
            return Outcome(operations, {}, _deployment_failed(error))
        operations.append(Operation(_operation_id(), resource, answer.status, timestamp))
    outputs = await _resolve(planned.outputs, planned.context, read)
    return Outcome(operations, _outputs(outputs), None)


async def _resolve(value: Any, context: TemplateContext, read: AsyncReader) -> Any:
    """Evaluate with `reference()` reading live state: a first pass collects the references (deferred),
    they are read, and the second pass uses what was read."""
    wanted: list[tuple[str, str | None, bool]] = []

    def collect(name: str, api_version: str | None, full: bool) -> Any:
        wanted.append((name, api_version, full))
        return DEFERRED

    context.read_reference = collect
    evaluate_value(value, context.scope())
    known = {key: await read(*key) for key in dict.fromkeys(wanted)}

    def lookup(name: str, api_version: str | None, full: bool) -> Any:
        return known[(name, api_version, full)]

    context.read_reference = lookup
    return evaluate_value(value, context.scope())


def deferred_reader(name: str, api_version: str | None, full: bool) -> Deferred:
    """`reference()` before the deployment runs (planning, validating)."""
    return DEFERRED


def _outputs(outputs: Any) -> dict[str, Any]:
    shown = {}
    for name, output in (outputs or {}).items():
        kind = str(output.get("type", "string")).lower()
        if kind in SECURE_TYPES:
            continue
        shown[name] = {"type": kind.capitalize(), "value": output.get("value")}
    return shown


def _deployment_failed(error: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": "DeploymentFailed",
        "target": None,
        "message": "At least one resource deployment operation failed. Please list deployment operations for "
        "details. Please see https://aka.ms/arm-deployment-operations for usage details.",
        "details": [error],
    }


def _status_name(status: int) -> str:
    """The operation's final status code: an accepted (asynchronous) create ends as OK."""
    return {200: "OK", 201: "Created", 202: "OK", 204: "NoContent"}.get(status, str(status))


def _operation_id() -> str:
    return uuid.uuid4().hex[:16].upper()


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
