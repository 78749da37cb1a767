"""mysql_entra_admin: the Microsoft Entra admin of a MySQL flexible server (administrators/ActiveDirectory)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import KindInfo, PrincipalField, Spec, Text


class MySqlEntraAdminSpec(Spec):
    """Makes a user, group or service principal the server's Entra admin. Azure accepts it only when
    the server's user-assigned identity `identity` holds the Graph permissions User.Read.All,
    GroupMember.Read.All and Application.Read.All."""

    server: Text = Field(description="The server's id, usually `${mysql.id}` (one admin per server).")
    login: Text = Field(description="The admin's name in MySQL: a user's UPN, a group's or application's name.")
    object_id: Text = Field(description="The admin's object id (`sid`), e.g. `${group.id}`.")
    identity: Text = Field(description="The server's user-assigned identity that reads Graph, as `${uai.id}`.")


KIND = KindInfo(
    name="mysql_entra_admin",
    spec=MySqlEntraAdminSpec,
    exports={"id": str},
    lookup=("server",),
    links={"server": ("mysql_flexible_server.id",), "identity": ("user_assigned_identity.id",)},
    principal=PrincipalField("object_id"),
    provider="provisioner.providers.mysql_entra_admin:MySqlEntraAdminProvider",
    sdk_modules=("azure.mgmt.mysqlflexibleservers",),
)
