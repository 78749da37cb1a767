"""Microsoft.Resources routes: subscriptions, resource groups and generic resource lists."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.access import has_assignment_within
from provisioner.emulator.arm.authz import authorize, can
from provisioner.emulator.arm.ids import group_id, subscription_id
from provisioner.emulator.arm.operations import location_only, start_operation
from provisioner.emulator.arm.regions import check_location
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.scopes import require_group, require_subscription
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.resources.cascade import delete_tree

routes = RouteTable(Surface.ARM)
GROUP = "/subscriptions/{subscription}/resourcegroups/{group}"
GROUP_TYPE = "Microsoft.Resources/resourceGroups"
GROUP_READ = "Microsoft.Resources/subscriptions/resourceGroups/read"
_GROUP_NAME = re.compile(r"^[-\w._()]{1,90}$")
_FILTER_CLAUSE = re.compile(r"^\s*(resourceType|name)\s+eq\s+'([^']+)'\s*$", re.IGNORECASE)


def subscription_body(call: Call) -> dict[str, Any]:
    identity = call.cloud.identity
    return {
        "id": subscription_id(identity.subscription_id),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": identity.subscription_id,
        "tenantId": identity.tenant_id,
        "displayName": "Local cloud subscription",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
        },
    }


@routes.get("/subscriptions")
async def list_subscriptions(call: Call) -> Response:
    visible = has_assignment_within(call.cloud.store, call.caller.object_id, _own_subscription(call))
    return paged(call, [subscription_body(call)] if visible else [])


@routes.get("/subscriptions/{subscription}")
async def get_subscription(call: Call) -> Response:
    require_subscription(call.cloud, call.params["subscription"])
    scope = _own_subscription(call)
    if not has_assignment_within(call.cloud.store, call.caller.object_id, scope):
        authorize(call, "Microsoft.Resources/subscriptions/read", scope)
    return arm_json(subscription_body(call))


def _own_subscription(call: Call) -> str:
    return subscription_id(call.cloud.identity.subscription_id)


@routes.get("/tenants")
async def list_tenants(call: Call) -> Response:
    tenant = call.cloud.identity.tenant_id
    return paged(call, [{"id": f"/tenants/{tenant}", "tenantId": tenant, "tenantCategory": "Home"}])


def _group_body(call: Call, name: str, location: str, tags: dict[str, str], managed_by: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": group_id(call.params["subscription"], name),
        "name": name,
        "type": GROUP_TYPE,
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    if tags:
        body["tags"] = tags
    if managed_by:
        body["managedBy"] = managed_by
    return body


def check_group_name(name: str) -> None:
    if not _GROUP_NAME.match(name) or name.endswith("."):
        raise CloudServiceError(
            400,
            "InvalidResourceGroupName",
            f"The specified resource group name '{name}' is invalid. Resource group names can only include "
            "alphanumeric, underscore, parentheses, hyphen, period (except at end), and Unicode characters "
            "that match the allowed characters, and be 1-90 characters long.",
        )


@routes.put(GROUP)
async def create_resource_group(call: Call) -> Response:
    subscription, name = call.params["subscription"], call.params["group"]
    require_subscription(call.cloud, subscription)
    check_group_name(name)
    scope = group_id(subscription, name)
    authorize(call, "Microsoft.Resources/subscriptions/resourceGroups/write", scope)
    body = call.json()
    existing = call.cloud.store.get_resource(scope)
    location = check_location(body.get("location"))
    if existing is not None and existing.body["location"] != location:
        raise CloudServiceError(
            409,
            "InvalidResourceGroupLocation",
            f"Invalid resource group location '{location}'. The Resource group already exists in location "
            f"'{existing.body['location']}'.",
        )
    stored_name = existing.body["name"] if existing else name
    group = _group_body(call, stored_name, location, body.get("tags") or {}, body.get("managedBy"))
    stored_id = existing.id if existing else group["id"]
    created = call.cloud.store.put_resource(stored_id, GROUP_TYPE, subscription_id(subscription), group)
    return arm_json(group, 201 if created else 200)


@routes.get(GROUP)
async def get_resource_group(call: Call) -> Response:
    return arm_json(_existing_group(call, GROUP_READ).body)


@routes.add("HEAD", GROUP)
async def resource_group_exists(call: Call) -> Response:
    _existing_group(call, GROUP_READ)
    return no_content(204)


def _existing_group(call: Call, action: str) -> StoredResource:
    """The group of the path, once the caller may do `action` on it (ARM authorizes before 404)."""
    subscription, name = call.params["subscription"], call.params["group"]
    authorize(call, action, group_id(subscription, name))
    require_subscription(call.cloud, subscription)
    found = call.cloud.store.get_resource(group_id(subscription, name))
    if found is None:
        raise CloudServiceError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
    return found


@routes.patch(GROUP)
async def update_resource_group(call: Call) -> Response:
    found = _existing_group(call, "Microsoft.Resources/subscriptions/resourceGroups/write")
    changes = call.json()
    body = dict(found.body)
    if "tags" in changes:
        body["tags"] = changes["tags"] or {}
    if "managedBy" in changes:
        body["managedBy"] = changes["managedBy"]
    call.cloud.store.put_resource(found.id, GROUP_TYPE, found.parent, body)
    return arm_json(body)


@routes.delete(GROUP)
async def delete_resource_group(call: Call) -> Response:
    found = _existing_group(call, "Microsoft.Resources/subscriptions/resourceGroups/delete")
    delete_tree(call.cloud.store, found.id)
    location = found.body["location"]
    headers = start_operation(call, provider="Microsoft.Resources", location=location)
    return no_content(202, location_only(headers))


@routes.get("/subscriptions/{subscription}/resourcegroups")
async def list_resource_groups(call: Call) -> Response:
    subscription = call.params["subscription"]
    require_subscription(call.cloud, subscription)
    groups = call.cloud.store.list_resources(parent=subscription_id(subscription), resource_type=GROUP_TYPE)
    readable = [group.body for group in groups if can(call, GROUP_READ, group.id)]
    return paged(call, readable)


@routes.get("/subscriptions/{subscription}/resources")
async def list_subscription_resources(call: Call) -> Response:
    subscription = call.params["subscription"]
    require_subscription(call.cloud, subscription)
    return _resource_list(call, subscription_id(subscription))


@routes.get(GROUP + "/resources")
async def list_group_resources(call: Call) -> Response:
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    return _resource_list(call, group_id(call.params["subscription"], call.params["group"]))


def _resource_list(call: Call, scope: str) -> Response:
    """Tracked resources (not groups, not extension resources like role assignments) under a scope."""
    wanted = _resource_filter(call.query_value("$filter"))
    found = []
    for resource in call.cloud.store.list_resources(under=scope):
        if resource.type in (GROUP_TYPE.lower(), "microsoft.authorization/roleassignments"):
            continue
        if any(str(resource.body.get(key, "")).lower() != value for key, value in wanted.items()):
            continue
        if "location" not in resource.body:
            continue  # child resources (subnets, containers) are not listed here, as in Azure
        if can(call, f"{resource.body['type']}/read", resource.id):
            found.append(_generic_view(resource.body))
    return paged(call, found)


def _resource_filter(text: str | None) -> dict[str, str]:
    """`resourceType eq 'T'` and/or `name eq 'N'` joined by `and` (what the SDKs and az send), as the
    body keys they compare, lower-cased (ARM compares both without case)."""
    wanted: dict[str, str] = {}
    if not text:
        return wanted
    for clause in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        match = _FILTER_CLAUSE.match(clause)
        if match is None:
            raise CloudServiceError(400, "InvalidFilterInQueryString", f"Invalid $filter '{text}'.")
        key = "type" if match.group(1).lower() == "resourcetype" else "name"
        wanted[key] = match.group(2).lower()
    return wanted


def _generic_view(body: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "type", "location", "tags", "identity", "kind", "sku")
    return {key: body[key] for key in keys if key in body}
