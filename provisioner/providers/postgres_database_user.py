"""postgres_database_user: an Entra principal as a PostgreSQL role (`pgaadauth_create_principal_with_oid`),
with CONNECT, USAGE on schema `public`, privileges on its tables and role memberships (psycopg).

Runs as the server's Entra admin `admin` with the target's token. Read back from
`pgaadauth_list_principals(false)` (the pgaadauth security labels), `pg_class` ACLs and `pg_auth_members`.
Every identifier goes through `psycopg.sql.Identifier` (quote_ident rules), every value as a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from provisioner.errors import CloudError, TransientCloudError
from provisioner.kinds.postgres_database_user import PostgresDatabaseUserSpec
from provisioner.providers.arm import parse_id
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext

PRINCIPALS = "SELECT rolname, objectid FROM pgaadauth_list_principals(false) WHERE rolname = %s"
PRIVILEGES = (
    "SELECT DISTINCT a.privilege_type FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
    "aclexplode(c.relacl) a WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') "
    "AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s)"
)
MEMBERSHIPS = (
    "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
    "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s"
)
CREATE = "SELECT pgaadauth_create_principal_with_oid(%s, %s, %s, false, false)"
PRINCIPAL_TYPES = {"User": "user", "Group": "group", "ServicePrincipal": "service"}
DUPLICATE_ROLE = "42710"
INVALID_PRINCIPAL = "22023"  # Entra does not know the object id (yet): a new identity may still be replicating
GONE = frozenset({"3D000"})  # no such database


@dataclass(frozen=True)
class Session:
    """Where the statements run and as whom."""

    server: str
    database: str
    admin: str

    @classmethod
    def of(cls, database_id: str, admin: str) -> Session:
        parts = parse_id(database_id)
        return cls(parts["name"], parts["child_name_1"], admin)

    def run(self, ctx: ProviderContext, statements: Sequence[sql.Composable]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = ctx.clients.postgres_sql.run(self.server, self.database, self.admin, statements)
        return rows


def _query(text: str, *values: str) -> sql.Composable:
    return sql.SQL(text).format() if not values else sql.SQL(text.replace("%s", "{}")).format(*map(sql.Literal, values))


class PostgresDatabaseUserProvider(Provider[PostgresDatabaseUserSpec]):
    managed = ("object_id", "privileges", "roles")
    replace_on = frozenset({"object_id"})

    def read(self, ctx: ProviderContext, desired: Desired[PostgresDatabaseUserSpec]) -> Observed | None:
        spec = desired.spec
        session = Session.of(str(spec.database), str(spec.admin))
        return _read(ctx, session, str(spec.database), str(spec.name))

    def create(self, ctx: ProviderContext, desired: Desired[PostgresDatabaseUserSpec]) -> Observed:
        spec = desired.spec
        session = Session.of(str(spec.database), str(spec.admin))
        kind = PRINCIPAL_TYPES[str(spec.principal_type or "ServicePrincipal")]
        try:
            session.run(ctx, [_query(CREATE, str(spec.name), str(spec.object_id), kind)])
        except CloudError as error:
            if error.code == INVALID_PRINCIPAL:
                raise TransientCloudError(str(error), status=error.status, code="PrincipalNotFound") from None
            if error.code != DUPLICATE_ROLE:
                raise
        role = sql.Identifier(str(spec.name))
        base = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(session.database), role),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
        ]
        session.run(ctx, base + _changes(desired, [], []))
        return _wanted(desired)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[PostgresDatabaseUserSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        spec = desired.spec
        have_privileges = list(observed.attributes.get("privileges") or [])
        have_roles = list(observed.attributes.get("roles") or [])
        statements = _changes(desired, have_privileges, have_roles)
        if statements:
            Session.of(str(spec.database), str(spec.admin)).run(ctx, statements)
        return _wanted(desired)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        database_id, _, name = azure_id.rpartition("/users/")
        session = Session.of(database_id, str(attributes.get("admin") or ""))
        role = sql.Identifier(name)
        try:
            if not session.run(ctx, [_query("SELECT 1 FROM pg_roles WHERE rolname = %s", name)]):
                return
            session.run(
                ctx,
                [
                    sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role),
                    sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(role),
                    sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(sql.Identifier(session.database), role),
                    sql.SQL("DROP ROLE IF EXISTS {}").format(role),
                ],
            )
        except CloudError as error:
            if error.code not in GONE:
                raise


def _changes(
    desired: Desired[PostgresDatabaseUserSpec], privileges: list[str], roles: list[str]
) -> list[sql.Composable]:
    """GRANT what is wanted and missing, REVOKE what is there and not wanted."""
    spec = desired.spec
    role = sql.Identifier(str(spec.name))
    wanted_privileges, wanted_roles = [str(p) for p in spec.privileges], list(spec.roles)
    statements: list[sql.Composable] = []
    for privilege in sorted(set(wanted_privileges) - set(privileges)):
        statements.append(sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA public TO {}").format(sql.SQL(privilege), role))
    for privilege in sorted(set(privileges) - set(wanted_privileges)):
        statements.append(sql.SQL("REVOKE {} ON ALL TABLES IN SCHEMA public FROM {}").format(sql.SQL(privilege), role))
    for member_of in sorted(set(wanted_roles) - set(roles)):
        statements.append(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member_of), role))
    for member_of in sorted(set(roles) - set(wanted_roles)):
        statements.append(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(member_of), role))
    return statements


def _read(ctx: ProviderContext, session: Session, database_id: str, name: str) -> Observed | None:
    try:
        principal = session.run(ctx, [_query(PRINCIPALS, name)])
        if not principal:
            return None
        privileges = session.run(ctx, [_query(PRIVILEGES, name)])
        roles = session.run(ctx, [_query(MEMBERSHIPS, name)])
    except CloudError as error:
        if error.code in GONE:
            return None
        raise
    attributes = {
        "name": name,
        "admin": session.admin,
        "object_id": str(principal[0][1]),
        "privileges": sorted(str(row[0]) for row in privileges),
        "roles": sorted(str(row[0]) for row in roles),
    }
    return Observed(f"{database_id}/users/{name}", attributes, {})


def _wanted(desired: Desired[PostgresDatabaseUserSpec]) -> Observed:
    spec = desired.spec
    attributes = {
        "name": str(spec.name),
        "admin": str(spec.admin),
        "object_id": str(spec.object_id),
        "privileges": sorted(str(p) for p in spec.privileges),
        "roles": sorted(spec.roles),
    }
    return Observed(f"{spec.database}/users/{spec.name}", attributes, {})
