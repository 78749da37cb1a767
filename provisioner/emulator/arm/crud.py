"""The tracked-resource routes every ARM service shares: GET by id, DELETE, list by resource group and
list by subscription, with ARM's authorization, 404s, paging and envelope.

A service declares each resource type once (`TrackedType`) and adds these routes to its table with
`add_tracked_routes`; it keeps only its PUT / PATCH rules (and what a delete must check or cascade, in
`delete`, a model operation) of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.authz import can
from provisioner.emulator.arm.ids import group_id, subscription_id
from provisioner.emulator.arm.operations import start_operation
from provisioner.emulator.arm.responses import arm_json, no_content, paged, paged_after_name
from provisioner.emulator.arm.scopes import require_group, require_subscription
from provisioner.emulator.arm.tracked import prepare_delete, read_existing
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import Store, StoredResource

View = Callable[[dict[str, Any], Call], dict[str, Any]]
"""A stored body as the client sees it, given the base URL it reached (per-request URLs)."""
DeleteRule = Callable[[Store, StoredResource], None]
"""The service's delete: refuse in Azure's words when the resource is in use, else delete (cascading)."""

GROUP_PREFIX = "/subscriptions/{subscription}/resourceGroups/{group}/providers/"
SUBSCRIPTION_PREFIX = "/subscriptions/{subscription}/providers/"


@dataclass(frozen=True)
class TrackedType:
    """One tracked resource type of a provider, e.g. `Microsoft.Network/virtualNetworks`.

    `singular` / `plural` name the operations in the request log (`get_virtual_network`,
    `list_virtual_networks`, `list_all_virtual_networks`); `delete_async` answers a delete with 202
    and an async operation, otherwise 200.
    """

    provider: str
    type_name: str
    singular: str
    plural: str
    delete: DeleteRule
    view: View | None = None
    delete_async: bool = False
    by_subscription: bool = True
    name_param: str = "name"
    group_segment: str = "resourceGroups"  # Azure writes `resourcegroups` in some providers' ids
    paged_by_name: bool = False  # Key Vault's paging (responses.paged_after_name), not offsets

    @property
    def resource_type(self) -> str:
        return f"{self.provider}/{self.type_name}"

    @property
    def collection(self) -> str:
        """The path template of the type's list in a resource group."""
        return f"{GROUP_PREFIX}{self.resource_type}"

    @property
    def item(self) -> str:
        """The path template of one resource (`{name}`)."""
        return f"{self.collection}/{{{self.name_param}}}"

    def resource_id(self, call: Call) -> str:
        params = call.params
        return f"/subscriptions/{params['subscription']}/{self.group_segment}/{params['group']}/providers/" + (
            f"{self.resource_type}/{params[self.name_param]}"
        )

    def seen(self, body: dict[str, Any], call: Call) -> dict[str, Any]:
        return self.view(body, call) if self.view else body


def add_tracked_routes(table: RouteTable, kind: TrackedType, *, get: bool = True, delete: bool = True) -> None:
    """GET, DELETE and the lists of `kind` on the service's table (`get` / `delete` False: the service's own)."""

    async def get_one(call: Call) -> Response:
        return arm_json(kind.seen(read_existing(call, kind.resource_id(call), kind.resource_type).body, call))

    async def delete_one(call: Call) -> Response:
        found = prepare_delete(call, kind.resource_id(call), kind.resource_type)
        if found is None:
            return no_content(204)
        kind.delete(call.cloud.store, found)
        if not kind.delete_async:
            return no_content(200)
        return no_content(202, start_operation(call, provider=kind.provider, location=found.body["location"]))

    async def list_in_group(call: Call) -> Response:
        require_group(call.cloud, call.params["subscription"], call.params["group"])
        return _list_readable(call, kind, group_id(call.params["subscription"], call.params["group"]))

    async def list_in_subscription(call: Call) -> Response:
        require_subscription(call.cloud, call.params["subscription"])
        return _list_readable(call, kind, subscription_id(call.params["subscription"]))

    if get:
        table.add("GET", kind.item, operation=f"get_{kind.singular}")(get_one)
    if delete:
        table.add("DELETE", kind.item, operation=f"delete_{kind.singular}")(delete_one)
    table.add("GET", kind.collection, operation=f"list_{kind.plural}")(list_in_group)
    if kind.by_subscription:
        template = f"{SUBSCRIPTION_PREFIX}{kind.resource_type}"
        table.add("GET", template, operation=f"list_all_{kind.plural}")(list_in_subscription)


def _list_readable(call: Call, kind: TrackedType, scope: str) -> Response:
    items = call.cloud.store.list_resources(under=scope, resource_type=kind.resource_type)
    readable = [kind.seen(item.body, call) for item in items if can(call, f"{kind.resource_type}/read", item.id)]
    return paged_after_name(call, readable) if kind.paged_by_name else paged(call, readable)
