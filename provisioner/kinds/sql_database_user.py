"""sql_database_user: a contained database user for an Entra principal (T-SQL, data plane)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, Spec, Text

DatabaseRole = Literal[
    "db_owner", "db_datareader", "db_datawriter", "db_ddladmin", "db_securityadmin",
    "db_accessadmin", "db_backupoperator", "db_denydatareader", "db_denydatawriter",
]  # fmt: skip


class SqlDatabaseUserSpec(Spec):
    """A contained user (`CREATE USER [name] FROM EXTERNAL PROVIDER`) with role memberships.

    The server needs its Entra admin first: add the sql_entra_admin to `depends_on`.
    """

    database: Text = Field(description="The database's id, usually `${db.id}`.")
    name: Text = Field(description="The principal's Entra display name, e.g. `${vm.name}` for a VM's system identity.")
    roles: list[DatabaseRole] = Field([], description="The database roles it is a member of, e.g. `[db_datareader]`.")


KIND = KindInfo(
    name="sql_database_user",
    spec=SqlDatabaseUserSpec,
    exports={},
    lookup=("database", "name"),
    required=frozenset({"roles"}),
    links={"database": ("sql_database.id",)},
    provider="provisioner.providers.sql_database_user:SqlDatabaseUserProvider",
)
