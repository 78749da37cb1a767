"""resource_group through azure-mgmt-resource: PUT to create, PATCH for tags, asynchronous delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.resource_group import ResourceGroupSpec
from provisioner.providers.arm import (
    ArmProvider,
    delete_if_present,
    get_or_none,
    merged_tags,
    observed,
    parse_id,
    rest,
    tracked_attributes,
)
from provisioner.providers.base import AttributeChange, Desired, Observed, ProviderContext


class ResourceGroupProvider(ArmProvider[ResourceGroupSpec]):
    def read(self, ctx: ProviderContext, desired: Desired[ResourceGroupSpec]) -> Observed | None:
        groups = ctx.clients.resources.resource_groups
        found = get_or_none(lambda: groups.get(desired.spec.name))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[ResourceGroupSpec]) -> Observed:
        body = {"location": desired.spec.location, "tags": merged_tags(desired)}
        return _observe(rest(ctx.clients.resources.resource_groups.create_or_update(desired.spec.name, body)))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[ResourceGroupSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        tags = merged_tags(desired, observed.attributes.get("tags"))
        updated = ctx.clients.resources.resource_groups.update(desired.spec.name, {"tags": tags})
        return _observe(rest(updated))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        groups = ctx.clients.resources.resource_groups
        delete_if_present(lambda: groups.begin_delete(parse_id(azure_id)["resource_group"]))


def _observe(body: dict[str, Any]) -> Observed:
    attributes = {"name": body["name"], **tracked_attributes(body)}
    exports = {"id": body["id"], "name": body["name"], "location": attributes["location"]}
    return observed(body, attributes, exports)
