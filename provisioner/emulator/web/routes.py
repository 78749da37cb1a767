"""Microsoft.Web routes: App Service plans (serverfarms) and web apps (sites), synchronous as in Azure, with
the same identity block as virtual machines (service principals created and deleted with it)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.arm.tracked import (
    now_iso,
    prepare_delete,
    prepare_write,
    read_existing,
    resource_path,
    tracked_base,
)
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.naming import check_site_name
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.managedidentity.identity_block import identity_for_write
from provisioner.emulator.resources.cascade import delete_one, delete_resource_tree, delete_tree, on_delete
from provisioner.emulator.web import models
from provisioner.emulator.web.identity_routes import ensure_endpoint
from provisioner.emulator.web.models import (
    PLAN_TYPE,
    SITE_TYPE,
    check_site_name_free,
    find_plan,
    plan_body,
    plan_sku,
    refresh_site_count,
    requested_app_settings,
    save_app_settings,
    site_properties,
    sites_on_plan,
)

routes = RouteTable(Surface.ARM)
PROVIDER = "Microsoft.Web"
GROUP_PROVIDER = "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Web"
PLANS = TrackedType(PROVIDER, "serverfarms", "plan", "plans", delete=models.delete_plan)
SITES = TrackedType(PROVIDER, "sites", "site", "sites", delete=delete_resource_tree)
add_tracked_routes(routes, PLANS)
add_tracked_routes(routes, SITES, delete=False)  # DELETE may take an empty plan with it
PLAN = PLANS.item
SITE = GROUP_PROVIDER + "/sites/{name}"


def _group_scope(call: Call) -> str:
    return f"/subscriptions/{call.params['subscription']}/resourceGroups/{call.params['group']}"


def _plan_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "serverfarms", call.params["name"])


def site_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "sites", call.params["name"])


@routes.put(PLAN)
async def put_plan(call: Call) -> Response:
    existing = prepare_write(call, _plan_id(call), PLAN_TYPE)
    request = call.json()
    base = tracked_base(_plan_id(call), call.params["name"], PLAN_TYPE, request, existing)
    body = plan_body(base, request, call.params["group"], call.params["subscription"])
    store = call.cloud.store
    body["properties"]["numberOfSites"] = len(sites_on_plan(store, body["id"]))
    store.put_resource(body["id"], PLAN_TYPE, _group_scope(call), body)
    return arm_json(body)


@routes.patch(PLAN)
async def update_plan(call: Call) -> Response:
    found = read_existing(call, _plan_id(call), PLAN_TYPE, action="write")
    changes = call.json()
    body = dict(found.body)
    if "tags" in changes:
        body["tags"] = changes["tags"] or {}
    if changes.get("sku"):
        body["sku"] = plan_sku(changes["sku"])
        body["properties"] = body["properties"] | {"numberOfWorkers": body["sku"]["capacity"]}
    call.cloud.store.put_resource(found.id, found.type, found.parent, body)
    return arm_json(body)


def _with_identity(
    call: Call, body: dict[str, Any], previous: StoredResource | None, request: dict[str, Any], *, patch: bool
) -> dict[str, Any]:
    """`body` with the identity block a PUT or PATCH asks for; a request without one keeps the site's."""
    block = identity_for_write(
        call,
        owner_id=body["id"],
        owner_name=body["name"],
        previous=previous,
        requested=request.get("identity"),
        patch=patch,
    )
    without = {key: value for key, value in body.items() if key != "identity"}
    return without if block is None else without | {"identity": block}


def _save(
    store: Store, body: dict[str, Any], parent: str, previous: StoredResource | None, settings: dict[str, str] | None
) -> None:
    """Store the site (and the app settings its `siteConfig` sets, if any); keep its plans' counts right."""
    store.put_resource(body["id"], SITE_TYPE, parent, body)
    if settings is not None:
        save_app_settings(store, body, settings)
    ensure_endpoint(store, body["id"])
    refresh_site_count(store, body["properties"]["serverFarmId"])
    if previous is not None:
        refresh_site_count(store, previous.body["properties"]["serverFarmId"])


@routes.put(SITE)
async def put_site(call: Call) -> Response:
    existing = prepare_write(call, site_id(call), SITE_TYPE)
    check_site_name(call.params["name"])
    request = call.json()
    base = tracked_base(site_id(call), call.params["name"], SITE_TYPE, request, existing)
    store = call.cloud.store
    check_site_name_free(store, base["name"], base["id"])
    asked = request.get("properties") or {}
    settings = requested_app_settings(asked)
    current = existing.body["properties"] if existing else {}
    plan = find_plan(store, asked.get("serverFarmId") or current.get("serverFarmId"))
    with store.transaction():
        kind = request.get("kind") or (existing.body.get("kind") if existing else None) or "app"
        properties = site_properties(base["name"], call.params["group"], plan, current, asked, now_iso())
        body = _with_identity(call, base | {"kind": kind, "properties": properties}, existing, request, patch=False)
        _save(store, body, _group_scope(call), existing, settings)
    return arm_json(body)


@routes.patch(SITE)
async def update_site(call: Call) -> Response:
    found = read_existing(call, site_id(call), SITE_TYPE, action="write")
    changes = call.json()
    asked = changes.get("properties") or {}
    settings = requested_app_settings(asked)
    store = call.cloud.store
    current = found.body["properties"]
    plan = find_plan(store, asked.get("serverFarmId") or current["serverFarmId"])
    with store.transaction():
        body = _with_identity(call, dict(found.body), found, changes, patch=True)
        if "tags" in changes:
            body["tags"] = changes["tags"] or {}
        body["properties"] = site_properties(body["name"], call.params["group"], plan, current, asked, now_iso())
        _save(store, body, found.parent, found, settings)
    return arm_json(body)


@routes.delete(SITE)
async def delete_site(call: Call) -> Response:
    found = prepare_delete(call, site_id(call), SITE_TYPE)
    if found is None:
        return no_content(204)
    store = call.cloud.store
    with store.transaction():
        delete_tree(store, found.id)  # the site and its configuration
        plan = store.get_resource(found.body["properties"]["serverFarmId"])
        if (
            (call.query_value("deleteEmptyServerFarm") or "").lower() == "true"
            and plan
            and not sites_on_plan(store, plan.id)
        ):
            delete_one(store, plan.id)
    return no_content(200)


@on_delete
def _refresh_plan(store: Store, resource: StoredResource) -> None:
    if resource.type == SITE_TYPE.lower():
        refresh_site_count(store, resource.body["properties"]["serverFarmId"])


@routes.post("/subscriptions/{subscription}/providers/Microsoft.Web/checknameavailability")
async def check_name_availability(call: Call) -> Response:
    """Whether a site name is free: host names are global, so any site of that name takes it (az webapp
    create asks this first)."""
    request = call.json()
    name = request.get("name")
    if not isinstance(name, str) or not name:
        raise CloudServiceError(400, "BadRequest", "The parameter name has an invalid value.")
    try:
        check_site_name(name)
        check_site_name_free(call.cloud.store, name, "")
    except CloudServiceError as refused:
        reason = "AlreadyExists" if refused.status == 409 else "Invalid"
        return arm_json({"nameAvailable": False, "reason": reason, "message": _availability_message(name, reason)})
    return arm_json({"nameAvailable": True})


def _availability_message(name: str, reason: str) -> str:
    if reason == "AlreadyExists":
        return f"Hostname '{name}' already exists. Please select a different name."
    return f"The host name {name.lower()}.azurewebsites.net is invalid."
