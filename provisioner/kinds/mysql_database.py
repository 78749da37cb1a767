"""mysql_database: a database on a MySQL flexible server (flexibleServers/databases)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import KindInfo, Spec, Text


class MySqlDatabaseSpec(Spec):
    """A database on the server."""

    name: str = Field(pattern=r"^[A-Za-z0-9_$-]{1,64}$", description="The database's name.")
    server: Text = Field(description="The server's id, usually `${mysql.id}`.")
    charset: str = Field("utf8mb4", description="The character set.")
    collation: str = Field("utf8mb4_0900_ai_ci", description="The collation.")


KIND = KindInfo(
    name="mysql_database",
    spec=MySqlDatabaseSpec,
    exports={"id": str, "name": str},
    lookup=("name", "server"),
    links={"server": ("mysql_flexible_server.id",)},
    provider="provisioner.providers.mysql_database:MySqlDatabaseProvider",
    sdk_modules=("azure.mgmt.mysqlflexibleservers",),
)
