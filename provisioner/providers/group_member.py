"""group_member through msgraph-sdk: `members/$ref`.

Members are listed once per group per plan. Adding a member that is already there (Graph's 400
"One or more added object references already exist") is success, and so is removing one that is
not (404). A member Graph does not know is a TransientCloudError with code PrincipalNotFound (the
executor waits for principals this run created, and fails at once for others).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiota_abstractions.api_error import APIError
from msgraph.generated.models.reference_create import ReferenceCreate

from provisioner.errors import TransientCloudError
from provisioner.kinds.group_member import GroupMemberSpec
from provisioner.providers.base import Desired, Observed, Provider, ProviderContext
from provisioner.providers.msgraph import all_pages, error_message, get_or_none

ALREADY_MEMBER = "added object references already exist"
BAD_REQUEST = 400
NOT_FOUND = 404


def membership_id(group: str, member: str) -> str:
    return f"{group}/members/{member}".lower()


class GroupMemberProvider(Provider[GroupMemberSpec]):
    def read(self, ctx: ProviderContext, desired: Desired[GroupMemberSpec]) -> Observed | None:
        group, member = str(desired.spec.group), str(desired.spec.member)
        members = ctx.cache.get_or_load(("group_members", group.lower()), lambda: _members(ctx, group))
        return _observe(group, member) if member.lower() in members else None

    def create(self, ctx: ProviderContext, desired: Desired[GroupMemberSpec]) -> Observed:
        group, member = str(desired.spec.group), str(desired.spec.member)

        async def add(msgraph: Any) -> None:
            reference = ReferenceCreate(odata_id=f"{msgraph.request_adapter.base_url}/directoryObjects/{member}")
            try:
                await msgraph.groups.by_group_id(group).members.ref.post(reference)
            except APIError as error:
                if error.response_status_code == NOT_FOUND and member.lower() in error_message(error).lower():
                    raise _principal_not_found(member) from None
                if error.response_status_code != BAD_REQUEST or ALREADY_MEMBER not in error_message(error):
                    raise

        ctx.clients.run_msgraph(add)
        return _observe(group, member)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        group, _, member = azure_id.partition("/members/")
        ctx.clients.run_msgraph(
            lambda msgraph: get_or_none(
                msgraph.groups.by_group_id(group).members.by_directory_object_id(member).ref.delete
            )
        )


def _members(ctx: ProviderContext, group: str) -> frozenset[str]:
    """The ids of the group's direct members (none when the group does not exist)."""

    async def listing(msgraph: Any) -> frozenset[str]:
        members = msgraph.groups.by_group_id(group).members
        first = await get_or_none(members.get)
        if first is None:
            return frozenset()
        items = await all_pages(first, lambda link: members.with_url(link).get())
        return frozenset(str(item.id).lower() for item in items)

    return ctx.clients.run_msgraph(listing)


def _principal_not_found(member: str) -> TransientCloudError:
    """Graph does not know the member (yet): a principal created moments ago may still be replicating."""
    message = f"404 PrincipalNotFound: Graph does not know the directory object {member} (yet)"
    return TransientCloudError(message, status=NOT_FOUND, code="PrincipalNotFound")


def _observe(group: str, member: str) -> Observed:
    return Observed(membership_id(group, member), {"group": group, "member": member}, {})
