"""postgres_database_user: an Entra principal as a PostgreSQL role with privileges in one database."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, PrincipalField, Spec, Text

Privilege = Literal["SELECT", "INSERT", "UPDATE", "DELETE"]


class PostgresDatabaseUserSpec(Spec):
    """A role made by `pgaadauth_create_principal_with_oid` for an Entra principal, with CONNECT on the
    database, USAGE on its `public` schema and `privileges` on that schema's tables, and membership of `roles`.

    The statements run as the server's Entra admin `admin` (usually `${admin.principal_name}`), which must
    be the principal running provision.
    """

    database: Text = Field(description="The database's id, usually `${db.id}`.")
    name: Text = Field(description="The role's name: the principal's name, e.g. `${web.name}` for a system identity.")
    object_id: Text = Field(description="The principal's object id, e.g. `${web.identity.principal_id}`.")
    principal_type: Literal["User", "Group", "ServicePrincipal"] | None = Field(
        None, description="The principal's type; `ServicePrincipal` for a managed identity."
    )
    admin: Text = Field(description="The Entra admin the statements run as, usually `${admin.principal_name}`.")
    privileges: list[Privilege] = Field(["SELECT"], description="Privileges on the tables of schema `public`.")
    roles: list[str] = Field([], description="Roles it is a member of, e.g. `[pg_read_all_data]`.")


KIND = KindInfo(
    name="postgres_database_user",
    spec=PostgresDatabaseUserSpec,
    exports={},
    lookup=("database", "name"),
    case_sensitive=frozenset({"name"}),
    links={"database": ("postgres_database.id",), "admin": ("postgres_entra_admin.principal_name",)},
    principal=PrincipalField("object_id", "principal_type"),
    provider="provisioner.providers.postgres_database_user:PostgresDatabaseUserProvider",
    sdk_modules=("psycopg",),
)
