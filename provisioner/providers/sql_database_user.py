"""sql_database_user: a contained user for an Entra principal, and its fixed-role memberships (T-SQL).

Runs over TDS through `clients.sql_tds` as the target's principal, which must be the server's Entra admin
(or db_owner). A database's users and memberships are read once per plan (two catalog queries).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provisioner.azure.sql_tds import quote_name
from provisioner.errors import CloudError, TransientCloudError
from provisioner.kinds.sql_database_user import SqlDatabaseUserSpec
from provisioner.providers.arm import parse_id
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext

USERS = "SELECT name FROM sys.database_principals WHERE type IN ('E', 'X')"
MEMBERSHIPS = (
    "SELECT member.name AS member, role.name AS role FROM sys.database_role_members AS m "
    "JOIN sys.database_principals AS member ON m.member_principal_id = member.principal_id "
    "JOIN sys.database_principals AS role ON m.role_principal_id = role.principal_id"
)
USER_EXISTS = "15023"
PRINCIPAL_UNKNOWN = "33130"  # Entra does not know the name (yet): a new identity may still be replicating
GONE = frozenset({"40532", "4060"})  # no such server, no such database


@dataclass(frozen=True)
class DatabaseRef:
    server: str
    database: str

    @classmethod
    def of(cls, database_id: str) -> DatabaseRef:
        parts = parse_id(database_id)
        return cls(parts["name"], parts["child_name_1"])


class SqlDatabaseUserProvider(Provider[SqlDatabaseUserSpec]):
    managed = ("roles",)

    def read(self, ctx: ProviderContext, desired: Desired[SqlDatabaseUserSpec]) -> Observed | None:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        users = ctx.cache.get_or_load(("sql_users", database_id.lower()), lambda: _users(ctx, database_id))
        roles = users.get(name.lower())
        return None if roles is None else _observe(database_id, name, roles)

    def create(self, ctx: ProviderContext, desired: Desired[SqlDatabaseUserSpec]) -> Observed:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        try:
            _run(ctx, database_id, f"CREATE USER {quote_name(name)} FROM EXTERNAL PROVIDER")
        except CloudError as error:
            if error.code == PRINCIPAL_UNKNOWN:
                raise TransientCloudError(str(error), status=error.status, code="PrincipalNotFound") from None
            if error.code != USER_EXISTS:
                raise
        current = _users(ctx, database_id).get(name.lower(), [])
        return self._sync_roles(ctx, desired, current)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[SqlDatabaseUserSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        return self._sync_roles(ctx, desired, list(observed.attributes.get("roles") or []))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        database_id, _, name = azure_id.rpartition("/users/")
        try:
            _run(ctx, database_id, f"DROP USER IF EXISTS {quote_name(name)}")
        except CloudError as error:
            if error.code not in GONE:
                raise

    def _sync_roles(self, ctx: ProviderContext, desired: Desired[SqlDatabaseUserSpec], current: list[str]) -> Observed:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        wanted = [str(role) for role in desired.spec.roles]
        have = {role.lower() for role in current}
        for role in wanted:
            if role.lower() not in have:
                _run(ctx, database_id, f"ALTER ROLE {quote_name(role)} ADD MEMBER {quote_name(name)}")
        keep = {role.lower() for role in wanted}
        for role in current:
            if role.lower() not in keep:
                _run(ctx, database_id, f"ALTER ROLE {quote_name(role)} DROP MEMBER {quote_name(name)}")
        return _observe(database_id, name, wanted)


def _run(ctx: ProviderContext, database_id: str, statement: str) -> Any:
    target = DatabaseRef.of(database_id)
    return ctx.clients.sql_tds.query(target.server, target.database, statement)


def _users(ctx: ProviderContext, database_id: str) -> dict[str, list[str]]:
    """Contained Entra users of a database (lower-cased name -> fixed roles); none if it is gone."""
    try:
        users = _run(ctx, database_id, USERS).records()
        memberships = _run(ctx, database_id, MEMBERSHIPS).records()
    except CloudError as error:
        if error.code in GONE:
            return {}
        raise
    found: dict[str, list[str]] = {str(user["name"]).lower(): [] for user in users}
    for row in memberships:
        member = str(row["member"]).lower()
        if member in found:
            found[member].append(str(row["role"]))
    return found


def _observe(database_id: str, name: str, roles: list[str]) -> Observed:
    return Observed(f"{database_id}/users/{name}", {"name": name, "roles": sorted(roles)}, {})
