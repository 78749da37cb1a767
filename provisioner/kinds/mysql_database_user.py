"""mysql_database_user: an Entra principal as a MySQL user with privileges on one database (data plane)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, Spec, Text

Privilege = Literal["SELECT", "INSERT", "UPDATE", "DELETE"]


class MySqlDatabaseUserSpec(Spec):
    """`CREATE AADUSER 'name' IDENTIFIED BY 'client-or-object-id'`, then `GRANT privileges ON db.*`.

    Runs as the server's Entra admin (the signed-in principal, or a member of the admin group), so the
    mysql_entra_admin must exist first: add it to `depends_on`.
    """

    database: Text = Field(description="The database's id, usually `${db.id}`.")
    name: Text = Field(description="The MySQL user name the principal signs in with, e.g. `${uai.name}`.")
    identity: Text = Field(description="The principal's client id (managed identity) or object id.")
    privileges: list[Privilege] = Field([], description="Privileges on the database, e.g. `[SELECT]`.")


KIND = KindInfo(
    name="mysql_database_user",
    spec=MySqlDatabaseUserSpec,
    exports={},
    lookup=("database", "name"),
    required=frozenset({"identity", "privileges"}),
    case_sensitive=frozenset({"name"}),
    links={"database": ("mysql_database.id",)},
    provider="provisioner.providers.mysql_database_user:MySqlDatabaseUserProvider",
    sdk_modules=("azure.mgmt.mysqlflexibleservers",),
)
