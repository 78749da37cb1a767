"""sql_database: a database on a SQL server (Microsoft.Sql/servers/databases)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, KindInfo, Spec, Text


class SqlDatabaseSpec(Spec):
    """A database, in the server's location."""

    name: str = Field(description="The database's name.")
    server: Text = Field(description="The server's id, usually `${sql.id}`.")
    sku: str = Field("Basic", description="Service objective, e.g. Basic, S0, GP_S_Gen5_1.")


KIND = KindInfo(
    name="sql_database",
    spec=SqlDatabaseSpec,
    exports={"id": str, "name": str},
    lookup=("name", "server"),
    links={"server": ("sql_server.id",)},
    provider="provisioner.providers.sql_database:SqlDatabaseProvider",
    sdk_modules=("azure.mgmt.sql",),
    check_target=CheckTarget(
        abilities={"read": Ability("connect with an Entra token and run a SELECT", "sql_read")},
        api_version="2021-11-01",
    ),
)
