"""entra_user: an existing Microsoft Entra user (read only: provision never creates users)."""

from __future__ import annotations

from provisioner.kinds.base import KindInfo, Spec


class EntraUserSpec(Spec):
    """A user that already exists, found by user principal name; needs `existing: true`."""

    user_principal_name: str


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
