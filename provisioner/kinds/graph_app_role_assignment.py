"""graph_app_role_assignment: a Microsoft Graph application permission granted to a service principal."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import KindInfo, PrincipalField, Spec, Text

GRAPH_PERMISSION = r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$"


class GraphAppRoleAssignmentSpec(Spec):
    """Grants `principal` (a service principal's object id, such as a managed identity's) one Microsoft
    Graph application permission, named as Graph's permissions reference names it.

    An Azure Database for MySQL server's user-assigned identity needs `User.Read.All`,
    `GroupMember.Read.All` and `Application.Read.All` before the server can have an Entra admin.
    """

    principal: Text = Field(description="The service principal's object id, e.g. `${uai.principal_id}`.")
    permission: str = Field(
        pattern=GRAPH_PERMISSION,
        description="A Microsoft Graph application permission, e.g. `User.Read.All`.",
    )


KIND = KindInfo(
    name="graph_app_role_assignment",
    spec=GraphAppRoleAssignmentSpec,
    exports={"id": str, "app_role_id": str},
    lookup=("principal", "permission"),
    principal=PrincipalField("principal"),
    provider="provisioner.providers.graph_app_role_assignment:GraphAppRoleAssignmentProvider",
    sdk_modules=("msgraph",),
    doc=(
        "The permission's app role id is read from Microsoft Graph's service principal (appId "
        "`00000003-0000-0000-c000-000000000000`). An equal assignment that already exists is adopted; "
        "destroy removes the assignment. The signed-in principal needs `AppRoleAssignment.ReadWrite.All` "
        "and `Application.Read.All`."
    ),
)
