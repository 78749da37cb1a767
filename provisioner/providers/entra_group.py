"""entra_group through msgraph-sdk: a security group found by its display name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.models.group import Group

from provisioner.errors import CloudError
from provisioner.kinds.entra_group import EntraGroupSpec
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext
from provisioner.providers.msgraph import filtered, get_or_none, odata_string


class EntraGroupProvider(Provider[EntraGroupSpec]):
    managed = ("description",)

    def read(self, ctx: ProviderContext, desired: Desired[EntraGroupSpec]) -> Observed | None:
        found = _find(ctx, desired.spec.display_name)
        return None if found is None else _observe(found)

    def create(self, ctx: ProviderContext, desired: Desired[EntraGroupSpec]) -> Observed:
        """Adopt a group of that name if there is one (a create retried after a lost answer), else POST."""
        spec = desired.spec
        existing = _find(ctx, spec.display_name)
        if existing is not None:
            found = _observe(existing)
            changes = self.diff(desired, found)
            return self.update(ctx, desired, found, changes) if changes else found
        group = Group(
            display_name=spec.display_name,
            description=spec.description,
            mail_enabled=False,
            mail_nickname=spec.nickname,
            security_enabled=True,
        )
        return _observe(ctx.clients.run_msgraph(lambda msgraph: msgraph.groups.post(group)))

    def update(
        self, ctx: ProviderContext, desired: Desired[EntraGroupSpec], observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        patch = Group(description=desired.spec.description)

        async def change(msgraph: Any) -> Any:
            builder = msgraph.groups.by_group_id(observed.azure_id)
            await builder.patch(patch)
            return await builder.get()

        return _observe(ctx.clients.run_msgraph(change))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        ctx.clients.run_msgraph(lambda msgraph: get_or_none(msgraph.groups.by_group_id(azure_id).delete))


def _find(ctx: ProviderContext, display_name: str) -> Any:
    query = filtered(
        GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters, f"displayName eq {odata_string(display_name)}"
    )
    page = ctx.clients.run_msgraph(lambda msgraph: msgraph.groups.get(request_configuration=query))
    groups = list(page.value or [])
    if len(groups) > 1:
        raise CloudError(
            f"{len(groups)} Entra groups are named '{display_name}': provision finds groups by display name, "
            "so rename or remove the others",
            code="AmbiguousGroupName",
        )
    return groups[0] if groups else None


def _observe(group: Any) -> Observed:
    attributes = {
        "display_name": group.display_name,
        "description": group.description,
        "mail_nickname": group.mail_nickname,
    }
    exports = {"id": group.id, "object_id": group.id, "display_name": group.display_name}
    return Observed(str(group.id), attributes, exports)
