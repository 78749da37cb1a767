"""postgres_entra_admin: a Microsoft Entra admin of a PostgreSQL flexible server
(flexibleServers/administrators/{objectId})."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, PrincipalField, Spec, Text


class PostgresEntraAdminSpec(Spec):
    """Makes a user, group or service principal (a managed identity) an Entra admin of the server.

    A server may have several. The admin signs in as `principal_name` with a token for
    `https://ossrdbms-aad.database.windows.net` as the password.
    """

    server: Text = Field(description="The server's id, usually `${pg.id}`.")
    object_id: Text = Field(description="The admin's object id, e.g. `${target.principal_id}`.")
    principal_name: Text = Field(description="The admin's name: a user's UPN, a group's or service principal's name.")
    principal_type: Literal["User", "Group", "ServicePrincipal"] | None = Field(
        None, description="The admin's type; `ServicePrincipal` for an application or managed identity."
    )


KIND = KindInfo(
    name="postgres_entra_admin",
    spec=PostgresEntraAdminSpec,
    exports={"id": str, "principal_name": str},
    lookup=("server", "object_id"),
    links={"server": ("postgres_flexible_server.id",)},
    principal=PrincipalField("object_id", "principal_type"),
    provider="provisioner.providers.postgres_entra_admin:PostgresEntraAdminProvider",
    sdk_modules=("azure.mgmt.postgresqlflexibleservers",),
)
