"""entra_user: an existing Microsoft Entra user (read only: provision never creates users)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import KindInfo, Spec


class EntraUserSpec(Spec):
    """A user that already exists, found by user principal name.

    Its `id` and `object_id` exports are the same: the user's object id.
    """

    user_principal_name: str = Field(description="The user's sign-in name, e.g. `alice@contoso.com`.")


KIND = KindInfo(
    name="entra_user",
    spec=EntraUserSpec,
    exports={"id": str, "object_id": str, "user_principal_name": str, "display_name": str},
    lookup=("user_principal_name",),
    creatable=False,
    principal_exports={"id": "User", "object_id": "User"},
    provider="provisioner.providers.entra_user:EntraUserProvider",
    sdk_modules=("msgraph",),
)
