"""group_member: membership of a principal in an Entra group (Graph members/$ref)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import KindInfo, PrincipalField, Spec, Text


class GroupMemberSpec(Spec):
    """Makes `member` (a principal's object id) a member of `group`."""

    group: Text = Field(description="The group's object id, usually `${group.id}`.")
    member: Text = Field(description="The member's object id, e.g. `${vm.identity.principal_id}`.")


KIND = KindInfo(
    name="group_member",
    spec=GroupMemberSpec,
    exports={},
    lookup=("group", "member"),
    links={"group": ("entra_group.id", "entra_group.object_id")},
    principal=PrincipalField("member"),
    provider="provisioner.providers.group_member:GroupMemberProvider",
    sdk_modules=("msgraph",),
)
