"""Microsoft.Authorization routes: role definitions and role assignments at any scope."""

from __future__ import annotations

import re

from starlette.responses import Response

from provisioner.emulator.arm.access import ROLE_ASSIGNMENT_TYPE, take_effect_after
from provisioner.emulator.arm.authz import authorize
from provisioner.emulator.arm.ids import scopes_at_or_above, subscription_of
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.scopes import require_scope
from provisioner.emulator.auth.builtin_roles import builtin_role, builtin_roles, role_definition_body
from provisioner.emulator.authorization.models import (
    assignment_id,
    assignment_view,
    check_assignment_name,
    check_role_definition,
    find_equal_assignment,
    resolve_principal_type,
    store_role_assignment,
)
from provisioner.emulator.authorization.provider_operations import provider_operations, served_namespaces
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface

routes = RouteTable(Surface.ARM)
ASSIGNMENTS = "{scope:path}/providers/Microsoft.Authorization/roleAssignments"
DEFINITIONS = "{scope:path}/providers/Microsoft.Authorization/roleDefinitions"
PROVIDER_OPERATIONS = "/providers/Microsoft.Authorization/providerOperations"
_ROLE_NAME_FILTER = re.compile(r"^\s*roleName\s+eq\s+'(.*)'\s*$", re.IGNORECASE)
_PRINCIPAL_FILTER = re.compile(r"^\s*(?:principalId\s+eq\s+'([^']*)'|assignedTo\('([^']*)'\))\s*$", re.IGNORECASE)
_AT_SCOPE = re.compile(r"^\s*atScope\(\)\s*$", re.IGNORECASE)


@routes.get(DEFINITIONS + "/{role}")
async def get_role_definition(call: Call) -> Response:
    scope = call.params["scope"]
    role = builtin_role(call.params["role"].lower())
    if role is None:
        raise CloudServiceError(
            404,
            "RoleDefinitionDoesNotExist",
            f"The role definition '{call.params['role']}' could not be found.",
        )
    return arm_json(role_definition_body(role, scope))


@routes.get(DEFINITIONS)
async def list_role_definitions(call: Call) -> Response:
    scope = call.params["scope"]
    require_scope(call.cloud, scope)
    wanted = _role_name_filter(call.query_value("$filter"))
    roles = [role for role in builtin_roles() if wanted is None or role.name.lower() == wanted.lower()]
    # ARM answers the whole catalogue in one page: a role definition list has no nextLink.
    return paged(call, [role_definition_body(role, scope) for role in roles], page_size=max(len(roles), 1))


@routes.get(PROVIDER_OPERATIONS + "/{namespace}")
async def get_provider_operations(call: Call) -> Response:
    namespace = call.params["namespace"]
    found = provider_operations(namespace, call.query_value("$expand"))
    if found is None:
        raise CloudServiceError(404, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid.")
    return arm_json(found)


@routes.get(PROVIDER_OPERATIONS)
async def list_provider_operations(call: Call) -> Response:
    expand = call.query_value("$expand")
    found = [provider_operations(namespace, expand) for namespace in served_namespaces()]
    return paged(call, found, page_size=len(found))


def _role_name_filter(text: str | None) -> str | None:
    if not text:
        return None
    if text.strip().lower() == "type eq 'builtinrole'":
        return None
    match = _ROLE_NAME_FILTER.match(text)
    if match is None:
        raise CloudServiceError(400, "InvalidFilter", f"The filter '{text}' is not supported.")
    return match.group(1)


@routes.put(ASSIGNMENTS + "/{name}")
async def create_role_assignment(call: Call) -> Response:
    scope, name = call.params["scope"], call.params["name"]
    check_assignment_name(name)
    authorize(call, "Microsoft.Authorization/roleAssignments/write", scope)
    require_scope(call.cloud, scope)
    properties = call.json().get("properties") or {}
    role = check_role_definition(_required(properties, "roleDefinitionId"))
    principal_id = _required(properties, "principalId").lower()
    store = call.cloud.store
    principal_type = resolve_principal_type(
        store, principal_id, properties.get("principalType"), call.cloud.identity.tenant_id
    )
    existing = store.get_resource(assignment_id(scope, name))
    if existing is not None:
        return _repeat_of(call, existing, role, principal_id)
    if find_equal_assignment(store, scope, role, principal_id) is not None:
        raise CloudServiceError(409, "RoleAssignmentExists", "The role assignment already exists.")
    with store.transaction():
        body = store_role_assignment(
            store,
            scope=scope,
            name=name,
            role_guid=role,
            principal_id=principal_id,
            principal_type=principal_type,
            subscription=subscription_of(scope) or call.cloud.identity.subscription_id,
            created_by=call.caller.object_id,
            description=properties.get("description"),
        )
        take_effect_after(store, body["id"], call.cloud.faults.settings.rbac_delay)
    return arm_json(assignment_view(body, call.api_version, just_created=True), 201)


def _required(properties: dict[str, object], key: str) -> str:
    value = properties.get(key)
    if not isinstance(value, str) or not value:
        raise CloudServiceError(400, "InvalidRequestContent", f"The request must contain 'properties.{key}'.")
    return value


def _repeat_of(call: Call, existing: StoredResource, role: str, principal_id: str) -> Response:
    properties = existing.body["properties"]
    same_role = properties["roleDefinitionId"].lower().endswith(role)
    if same_role and properties["principalId"].lower() == principal_id:
        return arm_json(assignment_view(existing.body, call.api_version), 200)
    raise CloudServiceError(
        400,
        "RoleAssignmentUpdateNotPermitted",
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
    )


@routes.get(ASSIGNMENTS + "/{name}")
async def get_role_assignment(call: Call) -> Response:
    scope, name = call.params["scope"], call.params["name"]
    authorize(call, "Microsoft.Authorization/roleAssignments/read", scope)
    found = call.cloud.store.get_resource(assignment_id(scope, name))
    if found is None:
        raise CloudServiceError(404, "RoleAssignmentNotFound", f"The role assignment '{name}' is not found.")
    return arm_json(assignment_view(found.body, call.api_version))


@routes.delete(ASSIGNMENTS + "/{name}")
async def delete_role_assignment(call: Call) -> Response:
    scope, name = call.params["scope"], call.params["name"]
    authorize(call, "Microsoft.Authorization/roleAssignments/delete", scope)
    deleted = call.cloud.store.delete_resource(assignment_id(scope, name))
    if deleted is None:
        return no_content(204)
    return arm_json(assignment_view(deleted.body, call.api_version), 200)


@routes.get(ASSIGNMENTS)
async def list_role_assignments(call: Call) -> Response:
    scope = call.params["scope"]
    authorize(call, "Microsoft.Authorization/roleAssignments/read", scope)
    require_scope(call.cloud, scope)
    at_scope, principal, transitive = _assignment_filter(call.query_value("$filter"))
    store = call.cloud.store
    found: list[StoredResource] = []
    for candidate in scopes_at_or_above(scope):
        found.extend(store.list_resources(parent=candidate, resource_type=ROLE_ASSIGNMENT_TYPE))
    if not at_scope:
        below = store.list_resources(under=scope, resource_type=ROLE_ASSIGNMENT_TYPE)
        known = {item.id.lower() for item in found}
        found.extend(item for item in below if item.id.lower() not in known)
    if principal is not None:
        principals = {principal} | (store.groups_of(principal) if transitive else set())
        found = [item for item in found if item.body["properties"]["principalId"].lower() in principals]
    return paged(call, [assignment_view(item.body, call.api_version) for item in found])


def _assignment_filter(text: str | None) -> tuple[bool, str | None, bool]:
    """(atScope(), the principal filtered on, whether through its groups: assignedTo() is, principalId
    eq is not), from clauses joined by `and`."""
    at_scope, principal, transitive = False, None, False
    if not text:
        return at_scope, principal, transitive
    for clause in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        if _AT_SCOPE.match(clause):
            at_scope = True
            continue
        match = _PRINCIPAL_FILTER.match(clause)
        if match is None:
            raise CloudServiceError(
                400,
                "UnsupportedQuery",
                f"The filter '{text}' is not supported. Supported filters are "
                "atScope(), principalId eq '{id}' and assignedTo('{id}').",
            )
        principal = (match.group(1) or match.group(2)).lower()
        transitive = match.group(2) is not None
    return at_scope, principal, transitive
