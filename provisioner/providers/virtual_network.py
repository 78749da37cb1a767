"""virtual_network through azure-mgmt-network: one PUT with its subnets (create and update alike)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.virtual_network import VirtualNetworkSpec
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


class VirtualNetworkProvider(PutArmProvider[VirtualNetworkSpec]):
    managed = (*PutArmProvider.managed, "address_space", "subnets")

    def read(self, ctx: ProviderContext, desired: Desired[VirtualNetworkSpec]) -> Observed | None:
        networks = ctx.clients.network.virtual_networks
        found = get_or_none(lambda: networks.get(*group_and_name(desired)))
        return None if found is None else _observe(rest(found))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        networks = ctx.clients.network.virtual_networks
        delete_if_present(lambda: networks.begin_delete(parts["resource_group"], parts["name"]))

    def _put(
        self,
        ctx: ProviderContext,
        desired: Desired[VirtualNetworkSpec],
        location: str,
        live_tags: Mapping[str, str] | None,
    ) -> Observed:
        spec = desired.spec
        body = {
            "location": location,
            "tags": merged_tags(desired, live_tags),
            "properties": {
                "addressSpace": {"addressPrefixes": list(spec.address_space)},
                "subnets": [
                    {"name": subnet.name, "properties": {"addressPrefix": subnet.address_prefix}}
                    for subnet in spec.subnets
                ],
            },
        }
        networks = ctx.clients.network.virtual_networks
        poller = networks.begin_create_or_update(*group_and_name(desired), body)
        return _observe(rest(poller.result()))


def _observe(body: dict[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    subnets = [
        {"name": subnet["name"], "address_prefix": (subnet.get("properties") or {}).get("addressPrefix")}
        for subnet in properties.get("subnets") or []
    ]
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "address_space": list((properties.get("addressSpace") or {}).get("addressPrefixes") or []),
        "subnets": subnets,
    }
    exports = {"id": body["id"], "name": body["name"], "location": attributes["location"]}
    return observed(body, attributes, exports)
