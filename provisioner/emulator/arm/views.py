"""Lists of resources whose answers carry URLs of the local cloud itself (a storage account's blob
endpoint, a vault's URI): those URLs are not stored but added per request for the address the client
reached, so resources made while the cloud served one port still work when it serves another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.authz import can
from provisioner.emulator.arm.ids import group_id, subscription_id
from provisioner.emulator.arm.responses import paged
from provisioner.emulator.arm.scopes import require_group, require_subscription
from provisioner.emulator.core.call import Call

View = Callable[[dict[str, Any], str], dict[str, Any]]


def list_viewed_in_group(call: Call, resource_type: str, view: View) -> Response:
    require_group(call.cloud, call.params["subscription"], call.params["group"])
    return _list(call, resource_type, group_id(call.params["subscription"], call.params["group"]), view)


def list_viewed_in_subscription(call: Call, resource_type: str, view: View) -> Response:
    require_subscription(call.cloud, call.params["subscription"])
    return _list(call, resource_type, subscription_id(call.params["subscription"]), view)


def _list(call: Call, resource_type: str, scope: str, view: View) -> Response:
    items = call.cloud.store.list_resources(under=scope, resource_type=resource_type)
    readable = [view(item.body, call.base_url) for item in items if can(call, f"{resource_type}/read", item.id)]
    return paged(call, readable)
