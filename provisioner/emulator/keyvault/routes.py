"""Microsoft.KeyVault routes: vaults (create answers 200 with provisioningState RegisteringDns, as the
real service does; reads then say Succeeded; a delete is soft, see `deleted`, and `createMode: recover`
brings a deleted vault back) and the incremental access policy update."""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.crud import TrackedType, add_tracked_routes
from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.arm.tracked import prepare_write, read_existing, resource_path, tracked_base
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.naming import check_vault_name
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.keyvault.deleted import check_not_deleted, take_for_recovery
from provisioner.emulator.keyvault.models import (
    VAULT_TYPE,
    apply_policy_change,
    check_name_free,
    create_mode,
    update_vault,
    vault_body,
    vault_view,
)
from provisioner.emulator.resources.cascade import delete_resource

routes = RouteTable(Surface.ARM)
PROVIDER = "Microsoft.KeyVault"
GROUP_PROVIDER = "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.KeyVault"


def _view(body: dict[str, Any], call: Call) -> dict[str, Any]:
    return vault_view(body, call.cloud.vault_hosts.vault_url(call.base_url, body["name"]))


VAULTS = TrackedType(PROVIDER, "vaults", "vault", "vaults", delete=delete_resource, view=_view, paged_by_name=True)
add_tracked_routes(routes, VAULTS)
VAULT = VAULTS.item


def _vault_id(call: Call) -> str:
    return resource_path(call, PROVIDER, "vaults", call.params["name"])


def _save(call: Call, body: dict[str, Any]) -> None:
    call.cloud.store.put_resource(body["id"], VAULT_TYPE, body["id"].split("/providers/")[0], body)


@routes.put(VAULT)
async def create_vault(call: Call) -> Response:
    vault_id, name = _vault_id(call), call.params["name"]
    check_vault_name(name)
    existing = prepare_write(call, vault_id, VAULT_TYPE)
    request = call.json()
    if create_mode(request) == "recover":
        return _recover(call, vault_id, name)
    base = tracked_base(vault_id, name, VAULT_TYPE, request, existing)
    body = {"tags": {}} | vault_body(base, request, existing, call.api_version)
    with call.cloud.store.transaction():
        check_name_free(call.cloud.store, vault_id, name)
        check_not_deleted(call.cloud.store, name, time.time())
        _save(call, body)
    answer = _view(body, call)
    if existing is None:
        answer["properties"]["provisioningState"] = "RegisteringDns"
    return arm_json(answer)


def _recover(call: Call, vault_id: str, name: str) -> Response:
    """`createMode: recover`: the deleted vault comes back as it was (its access policies, and its
    secrets, which stayed under its id); the other properties of the request are not applied."""
    with call.cloud.store.transaction():
        body = take_for_recovery(call.cloud.store, vault_id, name, time.time())
        _save(call, body)
    return arm_json(_view(body, call))


@routes.patch(VAULT)
async def update_vault_properties(call: Call) -> Response:
    existing = read_existing(call, _vault_id(call), VAULT_TYPE, action="write")
    body = update_vault(existing.body, call.json())
    _save(call, body)
    return arm_json(_view(body, call))


@routes.put(VAULT + "/accessPolicies/{operation}")
async def update_access_policies(call: Call) -> Response:
    vault = read_existing(call, _vault_id(call), VAULT_TYPE, action="accessPolicies/write")
    requested = (call.json().get("properties") or {}).get("accessPolicies")
    current = vault.body["properties"]["accessPolicies"]
    policies = apply_policy_change(current, requested, call.params["operation"].lower())
    _save(call, vault.body | {"properties": vault.body["properties"] | {"accessPolicies": policies}})
    return arm_json(
        {
            "id": f"{vault.id}/accessPolicies/",
            "type": f"{VAULT_TYPE}/accessPolicies",
            "properties": {"accessPolicies": requested},
        }
    )
