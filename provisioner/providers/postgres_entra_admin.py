"""postgres_entra_admin through azure-mgmt-postgresqlflexibleservers: `administrators/{objectId}`
(PUT and DELETE asynchronous). Azure keeps the principal's name and type as given: a change of either
is a new PUT of the same admin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.mgmt.postgresqlflexibleservers import models

from provisioner.kinds.postgres_entra_admin import PostgresEntraAdminSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id, rest
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext


class PostgresEntraAdminProvider(Provider[PostgresEntraAdminSpec]):
    managed = ("principal_name", "principal_type")

    def read(self, ctx: ProviderContext, desired: Desired[PostgresEntraAdminSpec]) -> Observed | None:
        server = parse_id(str(desired.spec.server))
        admins = ctx.clients.postgres.administrators_microsoft_entra
        object_id = str(desired.spec.object_id)
        found = get_or_none(lambda: admins.get(server["resource_group"], server["name"], object_id))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[PostgresEntraAdminSpec]) -> Observed:
        spec = desired.spec
        server = parse_id(str(spec.server))
        # Only the principal running provision (`${target.principal_id}`) has no type the loader could infer.
        principal_type = spec.principal_type or ctx.clients.principal_type
        body = models.AdministratorMicrosoftEntraAdd(
            properties=models.AdministratorMicrosoftEntraPropertiesForAdd(
                principal_type=principal_type,
                principal_name=str(spec.principal_name),
                tenant_id=ctx.clients.tenant_id,
            )
        )
        admins = ctx.clients.postgres.administrators_microsoft_entra
        poller = admins.begin_create_or_update(server["resource_group"], server["name"], str(spec.object_id), body)
        return _observe(rest(poller.result()))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[PostgresEntraAdminSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        return self.create(ctx, desired)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        admins = ctx.clients.postgres.administrators_microsoft_entra
        delete_if_present(lambda: admins.begin_delete(parts["resource_group"], parts["name"], parts["child_name_1"]))


def _observe(body: Mapping[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    attributes = {
        "object_id": properties.get("objectId"),
        "principal_name": properties.get("principalName"),
        "principal_type": properties.get("principalType"),
    }
    return Observed(str(body["id"]), attributes, {"id": body["id"], "principal_name": properties.get("principalName")})
