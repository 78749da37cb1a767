"""user_assigned_identity through azure-mgmt-msi: PUT to create, PATCH for tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.kinds.user_assigned_identity import UserAssignedIdentitySpec
from provisioner.providers.arm import (
    ArmProvider,
    delete_if_present,
    get_or_none,
    group_and_name,
    location_for,
    merged_tags,
    observed,
    parse_id,
    rest,
    tracked_attributes,
)
from provisioner.providers.base import AttributeChange, Desired, Observed, ProviderContext


class UserAssignedIdentityProvider(ArmProvider[UserAssignedIdentitySpec]):
    def read(self, ctx: ProviderContext, desired: Desired[UserAssignedIdentitySpec]) -> Observed | None:
        identities = ctx.clients.msi.user_assigned_identities
        found = get_or_none(lambda: identities.get(*group_and_name(desired)))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[UserAssignedIdentitySpec]) -> Observed:
        body = {"location": location_for(ctx, desired), "tags": merged_tags(desired)}
        identities = ctx.clients.msi.user_assigned_identities
        return _observe(rest(identities.create_or_update(*group_and_name(desired), body)))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[UserAssignedIdentitySpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        body = {"tags": merged_tags(desired, observed.attributes.get("tags"))}
        identities = ctx.clients.msi.user_assigned_identities
        return _observe(rest(identities.update(*group_and_name(desired), body)))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        identities = ctx.clients.msi.user_assigned_identities
        delete_if_present(lambda: identities.delete(parts["resource_group"], parts["name"]))


def _observe(body: dict[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    exports = {
        "id": body["id"],
        "name": body["name"],
        "principal_id": properties.get("principalId"),
        "client_id": properties.get("clientId"),
        "tenant_id": properties.get("tenantId"),
    }
    return observed(body, {"name": body["name"], **tracked_attributes(body)}, exports)
