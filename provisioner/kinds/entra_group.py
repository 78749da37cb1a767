"""entra_group: a Microsoft Entra security group (Microsoft Graph /groups)."""

from __future__ import annotations

import re

from pydantic import Field

from provisioner.kinds.base import KindInfo, Spec

# Characters Graph refuses in mailNickname.
_NOT_IN_NICKNAME = re.compile(r"[^\x21-\x7e]|[@()\\\[\]\";:<>,]")


def mail_nickname(display_name: str) -> str:
    """The default mail nickname of a group: its display name without what Graph refuses there."""
    return _NOT_IN_NICKNAME.sub("", display_name) or "group"


class EntraGroupSpec(Spec):
    """A security group, found by its display name; members are group_member resources.

    Its `id` and `object_id` exports are the same: the group's object id.
    """

    display_name: str = Field(description="The group's display name, which finds it.")
    description: str | None = Field(None, description="The group's description.")
    mail_nickname: str | None = Field(None, description="Defaults to the display name without spaces.")

    @property
    def nickname(self) -> str:
        """The mail nickname a new group gets: the scenario's, or one made from the display name."""
        return self.mail_nickname or mail_nickname(self.display_name)


KIND = KindInfo(
    name="entra_group",
    spec=EntraGroupSpec,
    exports={"id": str, "object_id": str, "display_name": str},
    lookup=("display_name",),
    principal_exports={"id": "Group", "object_id": "Group"},
    provider="provisioner.providers.entra_group:EntraGroupProvider",
    sdk_modules=("msgraph",),
)
