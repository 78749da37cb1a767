"""sql_entra_admin: the Microsoft Entra admin of a SQL server (servers/administrators)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, PrincipalField, Spec, Text


class SqlEntraAdminSpec(Spec):
    """Makes a user, group or application (managed identity) the server's Entra admin."""

    server: Text = Field(description="The server's id, usually ${sql.id}.")
    login: Text = Field(description="Display name of the admin in Entra.")
    object_id: Text = Field(description="Object id, e.g. ${group.id}.")
    principal_type: Literal["User", "Group", "Application"] | None = None
    entra_only_authentication: bool = False


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
