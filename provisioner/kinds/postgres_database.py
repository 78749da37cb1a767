"""postgres_database: a database on a PostgreSQL flexible server (flexibleServers/databases)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, KindInfo, Spec, Text


class PostgresDatabaseSpec(Spec):
    """A database of a PostgreSQL flexible server."""

    name: str = Field(description="The database's name.")
    server: Text = Field(description="The server's id, usually `${pg.id}`.")
    charset: str = Field("UTF8", description="The database's character set.")
    collation: str = Field("en_US.utf8", description="The database's collation.")


KIND = KindInfo(
    name="postgres_database",
    spec=PostgresDatabaseSpec,
    exports={"id": str, "name": str},
    lookup=("name", "server"),
    case_sensitive=frozenset({"name"}),
    links={"server": ("postgres_flexible_server.id",)},
    provider="provisioner.providers.postgres_database:PostgresDatabaseProvider",
    sdk_modules=("azure.mgmt.postgresqlflexibleservers",),
    check_target=CheckTarget(
        abilities={
            "read": Ability("sign in with an Entra token and SELECT from a table", "pg_read"),
            "write": Ability("sign in with an Entra token and INSERT into a table", "pg_write"),
        },
        api_version="2025-08-01",
    ),
)
