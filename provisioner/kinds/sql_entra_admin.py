"""sql_entra_admin: the Microsoft Entra admin of a SQL server (servers/administrators)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, PrincipalField, Spec, Text


class SqlEntraAdminSpec(Spec):
    """Makes a user, group or application (managed identity) the server's Entra admin."""

    server: Text = Field(description="The server's id, usually `${sql.id}` (one admin per server).")
    login: Text = Field(description="The admin's display name in Entra, e.g. `${group.display_name}`.")
    object_id: Text = Field(description="The admin's object id, e.g. `${group.id}`.")
    principal_type: Literal["User", "Group", "Application"] | None = Field(
        None, description="The admin's type; `Application` for a managed identity."
    )
    entra_only_authentication: bool = Field(
        False, description="`true`: the server accepts Entra sign-ins only, no SQL logins."
    )


KIND = KindInfo(
    name="sql_entra_admin",
    spec=SqlEntraAdminSpec,
    exports={"id": str},
    lookup=("server",),
    links={"server": ("sql_server.id",)},
    principal=PrincipalField(
        "object_id",
        "principal_type",
        {"User": "User", "Group": "Group", "ServicePrincipal": "Application"},
    ),
    provider="provisioner.providers.sql_entra_admin:SqlEntraAdminProvider",
    sdk_modules=("azure.mgmt.sql",),
)
