"""app_service_plan through azure-mgmt-web (`Microsoft.Web/serverfarms`): PUT to create and to rescale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.app_service_plan import AppServicePlanSpec
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


class AppServicePlanProvider(PutArmProvider[AppServicePlanSpec]):
    managed = (*PutArmProvider.managed, "sku", "linux")
    replace_on = frozenset({"location", "linux"})

    def read(self, ctx: ProviderContext, desired: Desired[AppServicePlanSpec]) -> Observed | None:
        plans = ctx.clients.web.app_service_plans
        found = get_or_none(lambda: plans.get(*group_and_name(desired)))
        return None if found is None else _observe(rest(found))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        plans = ctx.clients.web.app_service_plans
        delete_if_present(lambda: plans.delete(parts["resource_group"], parts["name"]))

    def _put(
        self,
        ctx: ProviderContext,
        desired: Desired[AppServicePlanSpec],
        location: str,
        live_tags: Mapping[str, str] | None,
    ) -> Observed:
        spec = desired.spec
        body = {
            "location": location,
            "tags": merged_tags(desired, live_tags),
            "kind": "linux" if spec.linux else "app",
            "sku": {"name": spec.sku},
            "properties": {"reserved": spec.linux},
        }
        plans = ctx.clients.web.app_service_plans
        poller = plans.begin_create_or_update(*group_and_name(desired), body)
        return _observe(rest(poller.result()))


def _observe(body: Mapping[str, Any]) -> Observed:
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "sku": (body.get("sku") or {}).get("name"),
        "linux": bool((body.get("properties") or {}).get("reserved")),
    }
    return observed(body, attributes, {"id": body["id"], "name": body["name"]})
