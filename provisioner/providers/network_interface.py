"""network_interface through azure-mgmt-network: one dynamic private IP configuration in a subnet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.network_interface import NetworkInterfaceSpec
from provisioner.providers.arm import (
    PutArmProvider,
    delete_if_present,
    get_or_none,
    group_and_name,
    merged_tags,
    observed,
    parse_id,
    rest,
    tracked_attributes,
)
from provisioner.providers.base import Desired, Observed, ProviderContext

IP_CONFIGURATION = "ipconfig1"


class NetworkInterfaceProvider(PutArmProvider[NetworkInterfaceSpec]):
    managed = (*PutArmProvider.managed, "subnet")

    def read(self, ctx: ProviderContext, desired: Desired[NetworkInterfaceSpec]) -> Observed | None:
        interfaces = ctx.clients.network.network_interfaces
        found = get_or_none(lambda: interfaces.get(*group_and_name(desired)))
        return None if found is None else _observe(rest(found))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        interfaces = ctx.clients.network.network_interfaces
        delete_if_present(lambda: interfaces.begin_delete(parts["resource_group"], parts["name"]))

    def _put(
        self,
        ctx: ProviderContext,
        desired: Desired[NetworkInterfaceSpec],
        location: str,
        live_tags: Mapping[str, str] | None,
    ) -> Observed:
        subnet = str(desired.spec.subnet)  # required of a created interface
        body = {
            "location": location,
            "tags": merged_tags(desired, live_tags),
            "properties": {
                "ipConfigurations": [
                    {
                        "name": IP_CONFIGURATION,
                        "properties": {"subnet": {"id": subnet}, "privateIPAllocationMethod": "Dynamic"},
                    }
                ]
            },
        }
        interfaces = ctx.clients.network.network_interfaces
        poller = interfaces.begin_create_or_update(*group_and_name(desired), body)
        return _observe(rest(poller.result()))


def _observe(body: dict[str, Any]) -> Observed:
    configurations = (body.get("properties") or {}).get("ipConfigurations") or [{}]
    primary = configurations[0].get("properties") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "subnet": (primary.get("subnet") or {}).get("id"),
    }
    exports = {"id": body["id"], "name": body["name"], "private_ip_address": primary.get("privateIPAddress")}
    return observed(body, attributes, exports)
