"""Microsoft.Storage routes: storage accounts (create is asynchronous, as in Azure: 202 + Location),
keys, service SAS, and blob containers under `blobServices/default`."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.authz import authorize
from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.operations import location_only, start_operation
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.scopes import require_group, resource_not_found
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
from provisioner.emulator.core.naming import check_container_name_arm
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.resources.cascade import delete_one, delete_resource_tree
from provisioner.emulator.storage.keys import account_keys, create_keys, regenerate_key
from provisioner.emulator.storage.models import (
    ACCOUNT_TYPE,
    CONTAINER_TYPE,
    account_body,
    account_view,
    blob_service_id,
    check_account_name,
    check_name_free,
    check_public_access,
    container_body,
    container_id,
    find_account,
    save_container,
    update_account,
)
from provisioner.emulator.storage.sas import service_sas_from_request


def _view(body: dict[str, Any], call: Call) -> dict[str, Any]:
    return account_view(body, call.base_url)


routes = RouteTable(Surface.ARM)
PROVIDER = "Microsoft.Storage"
GROUP_PROVIDER = "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Storage"
STORAGE_ACCOUNTS = TrackedType(
    PROVIDER, "storageAccounts", "storage_account", "storage_accounts", delete=delete_resource_tree, view=_view
)
add_tracked_routes(routes, STORAGE_ACCOUNTS)
ACCOUNT = STORAGE_ACCOUNTS.item
CONTAINERS = ACCOUNT + "/blobServices/default/containers"


def _account_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "storageAccounts", call.params["name"])


@routes.put(ACCOUNT)
async def create_storage_account(call: Call) -> Response:
    account_id, name = _account_id(call), call.params["name"]
    check_account_name(name)
    existing = prepare_write(call, account_id, ACCOUNT_TYPE)
    request = call.json()
    base = tracked_base(account_id, name, ACCOUNT_TYPE, request, existing)
    store = call.cloud.store
    with store.transaction():
        check_name_free(store, account_id, name)
        now = now_iso()
        body = account_body(base, request, existing, now)
        store.put_resource(body["id"], ACCOUNT_TYPE, account_id.split("/providers/")[0], body)
        if existing is not None:
            return arm_json(_view(body, call))
        create_keys(store, body["id"], now)
    headers = start_operation(call, provider=PROVIDER, location=body["location"], result=_view(body, call))
    return no_content(202, location_only(headers))


@routes.patch(ACCOUNT)
async def update_storage_account(call: Call) -> Response:
    existing = read_existing(call, _account_id(call), ACCOUNT_TYPE, action="write")
    body = update_account(existing.body, call.json())
    call.cloud.store.put_resource(existing.id, ACCOUNT_TYPE, existing.parent, body)
    return arm_json(_view(body, call))


def _keys_body(call: Call, account: StoredResource) -> dict[str, Any]:
    return {"keys": [key.to_json() for key in account_keys(call.cloud.store, account.id)]}


@routes.post(ACCOUNT + "/listKeys")
async def list_keys(call: Call) -> Response:
    account = read_existing(call, _account_id(call), ACCOUNT_TYPE, action="listKeys/action")
    return arm_json(_keys_body(call, account))


@routes.post(ACCOUNT + "/regenerateKey")
async def regenerate_account_key(call: Call) -> Response:
    account = read_existing(call, _account_id(call), ACCOUNT_TYPE, action="regenerateKey/action")
    key_name = call.json().get("keyName")
    now = now_iso()
    store = call.cloud.store
    with store.transaction():
        regenerate_key(store, account.id, key_name, now)
        properties = account.body["properties"]
        created = properties["keyCreationTime"] | {str(key_name): now}
        store.put_resource(
            account.id,
            ACCOUNT_TYPE,
            account.parent,
            account.body | {"properties": properties | {"keyCreationTime": created}},
        )
    return arm_json(_keys_body(call, account))


@routes.post(ACCOUNT + "/listServiceSas")
async def list_service_sas(call: Call) -> Response:
    account = read_existing(call, _account_id(call), ACCOUNT_TYPE, action="listServiceSas/action")
    keys = {key.name: key.value for key in account_keys(call.cloud.store, account.id)}
    return arm_json({"serviceSasToken": service_sas_from_request(call.json(), account.body["name"], keys)})


# ---- containers ----------------------------------------------------------------------------


def _container_id(call: Call) -> str:
    return container_id(_account_id(call), call.params["container"])


def _account_of_container(call: Call) -> StoredResource:
    account = call.cloud.store.get_resource(_account_id(call))
    if account is None or account.type != ACCOUNT_TYPE.lower():
        raise resource_not_found(_account_id(call))
    return account


def _container_not_found() -> CloudServiceError:
    return CloudServiceError(404, "ContainerNotFound", "The specified container does not exist.")


@routes.put(CONTAINERS + "/{container}")
async def create_container(call: Call) -> Response:
    existing = prepare_write(call, _container_id(call), CONTAINER_TYPE)
    account = _account_of_container(call)
    check_container_name_arm(call.params["container"])
    properties = call.json().get("properties") or {}
    public_access = str(properties.get("publicAccess") or "None")
    check_public_access(account, public_access)
    body = container_body(
        existing.id if existing else _container_id(call),
        call.params["container"],
        now_iso(),
        public_access,
        properties.get("metadata"),
    )
    created = save_container(call.cloud.store, account.id, body)
    return arm_json(body, 201 if created else 200)


@routes.get(CONTAINERS + "/{container}")
async def get_container(call: Call) -> Response:
    authorize(call, f"{CONTAINER_TYPE}/read", _container_id(call))
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    _account_of_container(call)
    found = call.cloud.store.get_resource(_container_id(call))
    if found is None:
        raise _container_not_found()
    return arm_json(found.body)


@routes.delete(CONTAINERS + "/{container}")
async def delete_container(call: Call) -> Response:
    found = prepare_delete(call, _container_id(call), CONTAINER_TYPE)
    _account_of_container(call)
    if found is None:
        return no_content(204)
    delete_one(call.cloud.store, found.id)
    return no_content(200)


@routes.get(CONTAINERS)
async def list_containers(call: Call) -> Response:
    authorize(call, f"{CONTAINER_TYPE}/read", _account_id(call))
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    account = _account_of_container(call)
    containers = call.cloud.store.list_resources(parent=blob_service_id(account.id), resource_type=CONTAINER_TYPE)
    return paged(call, [container.body for container in containers])


@routes.post("/subscriptions/{subscription}/providers/Microsoft.Storage/checkNameAvailability")
async def check_name_availability(call: Call) -> Response:
    """Whether an account name is free (names are global; az storage account create asks this first)."""
    request = call.json()
    name = request.get("name")
    if not isinstance(name, str) or str(request.get("type", "")).lower() != ACCOUNT_TYPE.lower():
        raise CloudServiceError(400, "InvalidRequestContent", "The request content is invalid.")
    try:
        check_account_name(name)
    except CloudServiceError as refused:
        return arm_json({"nameAvailable": False, "reason": "AccountNameInvalid", "message": refused.message})
    if find_account(call.cloud.store, name) is not None:
        message = f"The storage account named {name} is already taken."
        return arm_json({"nameAvailable": False, "reason": "AlreadyExists", "message": message})
    return arm_json({"nameAvailable": True})
