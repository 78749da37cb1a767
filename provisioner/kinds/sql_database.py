"""sql_database: a database on a SQL server (Microsoft.Sql/servers/databases)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import KindInfo, Spec, Text


class SqlDatabaseSpec(Spec):
    """A database, in the server's location."""

    name: str
    server: Text = Field(description="The server's id, usually ${sql.id}.")
    sku: str = Field("Basic", description="Service objective, e.g. Basic, S0, GP_S_Gen5_1.")


KIND = KindInfo(
    name="sql_database",
    spec=SqlDatabaseSpec,
    exports={"id": str, "name": str},
    lookup=("name", "server"),
    links={"server": ("sql_server.id",)},
)
