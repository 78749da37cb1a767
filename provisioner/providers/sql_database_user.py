"""sql_database_user: a contained user for an Entra principal, and its fixed-role memberships (T-SQL).

Runs over TDS through `clients.sql_tds` as the target's principal, which must be the server's Entra admin
(or db_owner); the statements come from `provisioner.azure.sql_statements`, the same on both targets.
A database's users (name, SID) and memberships are read once per plan (two catalog queries). A user
whose SID is not that of the principal its name resolves to now (a VM or identity deleted and made
again under the same name) is drift: the plan replaces it, since the old user no longer logs anyone in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provisioner.azure import sql_statements as tsql
from provisioner.errors import CloudError, TransientCloudError
from provisioner.kinds.sql_database_user import SqlDatabaseUserSpec
from provisioner.providers.arm import parse_id
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext
from provisioner.providers.sql_principal import expected_sid

USER_EXISTS = "15023"
PRINCIPAL_UNKNOWN = "33130"  # Entra does not know the name (yet): a new identity may still be replicating
GONE = frozenset({"40532", "4060"})  # no such server, no such database
SID = "sid"
PRINCIPAL_SID = "principal_sid"


@dataclass(frozen=True)
class DatabaseRef:
    server: str
    database: str

    @classmethod
    def of(cls, database_id: str) -> DatabaseRef:
        parts = parse_id(database_id)
        return cls(parts["name"], parts["child_name_1"])


@dataclass(frozen=True)
class LiveUser:
    sid: str | None  # the GUID its SID holds
    roles: list[str]


class SqlDatabaseUserProvider(Provider[SqlDatabaseUserSpec]):
    managed = ("roles",)

    def read(self, ctx: ProviderContext, desired: Desired[SqlDatabaseUserSpec]) -> Observed | None:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        users = ctx.cache.get_or_load(("sql_users", database_id.lower()), lambda: _users(ctx, database_id))
        user = users.get(name.lower())
        return None if user is None else _observe(database_id, name, user, expected_sid(ctx, name))

    def diff(self, desired: Desired[SqlDatabaseUserSpec], observed: Observed) -> list[AttributeChange]:
        changes = super().diff(desired, observed)
        live, principal = observed.attributes.get(SID), observed.attributes.get(PRINCIPAL_SID)
        if principal is not None and live != principal:
            changes.append(AttributeChange(SID, live, principal, forces_replacement=True))
        return changes

    def create(self, ctx: ProviderContext, desired: Desired[SqlDatabaseUserSpec]) -> Observed:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        try:
            _run(ctx, database_id, tsql.create_user(name))
        except CloudError as error:
            if error.code == PRINCIPAL_UNKNOWN:
                raise TransientCloudError(str(error), status=error.status, code="PrincipalNotFound") from None
            if error.code != USER_EXISTS:
                raise
        current = _users(ctx, database_id).get(name.lower()) or LiveUser(None, [])
        return self._sync_roles(ctx, desired, current)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[SqlDatabaseUserSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        live = LiveUser(observed.attributes.get(SID), list(observed.attributes.get("roles") or []))
        return self._sync_roles(ctx, desired, live)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        database_id, _, name = azure_id.rpartition("/users/")
        try:
            _run(ctx, database_id, tsql.drop_user(name))
        except CloudError as error:
            if error.code not in GONE:
                raise

    def _sync_roles(self, ctx: ProviderContext, desired: Desired[SqlDatabaseUserSpec], current: LiveUser) -> Observed:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        wanted = [str(role) for role in desired.spec.roles]
        have = {role.lower() for role in current.roles}
        for role in wanted:
            if role.lower() not in have:
                _run(ctx, database_id, tsql.add_member(role, name))
        keep = {role.lower() for role in wanted}
        for role in current.roles:
            if role.lower() not in keep:
                _run(ctx, database_id, tsql.drop_member(role, name))
        return _observe(database_id, name, LiveUser(current.sid, wanted), current.sid)


def _run(ctx: ProviderContext, database_id: str, statement: str) -> Any:
    target = DatabaseRef.of(database_id)
    return ctx.clients.sql_tds.query(target.server, target.database, statement)


def _users(ctx: ProviderContext, database_id: str) -> dict[str, LiveUser]:
    """Contained Entra users of a database (lower-cased name -> SID and fixed roles); none if it is gone."""
    try:
        users = _run(ctx, database_id, tsql.USERS).records()
        memberships = _run(ctx, database_id, tsql.MEMBERSHIPS).records()
    except CloudError as error:
        if error.code in GONE:
            return {}
        raise
    found = {str(user["name"]).lower(): LiveUser(tsql.sid_guid(user["sid"]), []) for user in users}
    for row in memberships:
        member = found.get(str(row["member"]).lower())
        if member is not None:
            member.roles.append(str(row["role"]))
    return found


def _observe(database_id: str, name: str, user: LiveUser, principal_sid: str | None) -> Observed:
    attributes = {"name": name, "roles": sorted(user.roles), SID: user.sid, PRINCIPAL_SID: principal_sid}
    return Observed(f"{database_id}/users/{name}", attributes, {})
