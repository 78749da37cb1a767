"""Each database's authorization state, kept in SQLite: contained users for Entra principals and their
fixed-role memberships; who a token's caller is to a database; and the directory look-up that
`CREATE USER ... FROM EXTERNAL PROVIDER` makes (users by UPN; groups and service principals, which
include managed identities, by display name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from provisioner.emulator.arm.tracked import now_iso
from provisioner.emulator.core.call import Principal
from provisioner.emulator.core.store import DirectoryObject, Store, StoredResource
from provisioner.emulator.graph.directory import visible_to_arm
from provisioner.emulator.resources.cascade import on_delete
from provisioner.emulator.sql.tsql import TsqlError

# Created with plain statements inside a transaction: `Store.add_schema` runs `executescript`, which
# would commit a caller's open transaction (these tables are first touched inside one).
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sql_users (
    database_key TEXT NOT NULL,
    principal_id INTEGER NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    object_id TEXT NOT NULL,
    sid TEXT NOT NULL,
    type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (database_key, principal_id),
    UNIQUE (database_key, name)
    )""",
    """CREATE TABLE IF NOT EXISTS sql_role_members (
    database_key TEXT NOT NULL,
    role_principal_id INTEGER NOT NULL,
    member_principal_id INTEGER NOT NULL,
    PRIMARY KEY (database_key, role_principal_id, member_principal_id)
    )""",
)
DATABASE_TYPE = "microsoft.sql/servers/databases"
FIXED_ROLES = {
    "db_owner": 16384,
    "db_accessadmin": 16385,
    "db_securityadmin": 16386,
    "db_ddladmin": 16387,
    "db_backupoperator": 16389,
    "db_datareader": 16390,
    "db_datawriter": 16391,
    "db_denydatareader": 16392,
    "db_denydatawriter": 16393,
}
BUILTIN_USERS = {"dbo": 1, "guest": 2, "INFORMATION_SCHEMA": 3, "sys": 4}
DBO = BUILTIN_USERS["dbo"]
FIRST_USER_ID = 5
EXTERNAL_KINDS = frozenset({"user", "group", "servicePrincipal"})


@dataclass(frozen=True)
class ContainedUser:
    principal_id: int
    name: str
    object_id: str
    sid: str
    type: str  # E: external user (users, service principals), X: external group
    created_at: str


def sid_of(obj: DirectoryObject) -> str:
    """SQL's sid for an Entra principal: the GUID's bytes as varbinary; an application's client id for
    a service principal (so for a managed identity), the object id otherwise."""
    guid = obj.app_id if obj.kind == "servicePrincipal" and obj.app_id else obj.id
    return "0x" + uuid.UUID(guid).bytes_le.hex().upper()


class DatabaseState:
    """The contained users and role memberships of one database."""

    def __init__(self, store: Store, database_id: str) -> None:
        with store.transaction() as conn:
            for statement in SCHEMA:
                conn.execute(statement)
        self.store = store
        self.key = database_id.rstrip("/").lower()

    def users(self) -> list[ContainedUser]:
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT principal_id, name, object_id, sid, type, created_at FROM sql_users "
                "WHERE database_key = ? ORDER BY principal_id",
                (self.key,),
            ).fetchall()
        return [ContainedUser(*row) for row in rows]

    def user_named(self, name: str) -> ContainedUser | None:
        return next((user for user in self.users() if user.name.lower() == name.lower()), None)

    def add_user(self, name: str, obj: DirectoryObject) -> None:
        with self.store.transaction() as conn:
            (highest,) = conn.execute(
                "SELECT MAX(principal_id) FROM sql_users WHERE database_key = ?", (self.key,)
            ).fetchone()
            conn.execute(
                "INSERT INTO sql_users (database_key, principal_id, name, object_id, sid, type, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self.key,
                    max(highest or 0, FIRST_USER_ID - 1) + 1,
                    name,
                    obj.id.lower(),
                    sid_of(obj),
                    "X" if obj.kind == "group" else "E",
                    now_iso(),
                ),
            )

    def drop_user(self, user: ContainedUser) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "DELETE FROM sql_role_members WHERE database_key = ? AND member_principal_id = ?",
                (self.key, user.principal_id),
            )
            conn.execute(
                "DELETE FROM sql_users WHERE database_key = ? AND principal_id = ?", (self.key, user.principal_id)
            )

    def role_members(self) -> list[tuple[int, int]]:
        """(role, member) pairs, with dbo in db_owner as in every database."""
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT role_principal_id, member_principal_id FROM sql_role_members WHERE database_key = ? "
                "ORDER BY role_principal_id, member_principal_id",
                (self.key,),
            ).fetchall()
        return [(FIXED_ROLES["db_owner"], DBO), *((int(role), int(member)) for role, member in rows)]

    def set_member(self, role_id: int, member_id: int, *, present: bool) -> None:
        statement = (
            "INSERT OR IGNORE INTO sql_role_members (database_key, role_principal_id, member_principal_id) "
            "VALUES (?, ?, ?)"
            if present
            else "DELETE FROM sql_role_members WHERE database_key = ? AND role_principal_id = ? "
            "AND member_principal_id = ?"
        )
        with self.store.transaction() as conn:
            conn.execute(statement, (self.key, role_id, member_id))

    def drop_all(self) -> None:
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM sql_role_members WHERE database_key = ?", (self.key,))
            conn.execute("DELETE FROM sql_users WHERE database_key = ?", (self.key,))


@on_delete
def _drop_database_principals(store: Store, resource: StoredResource) -> None:
    if resource.type == DATABASE_TYPE:
        DatabaseState(store, resource.id).drop_all()


def resolve_external(store: Store, name: str, object_id: str | None) -> DirectoryObject:
    """The Entra principal `CREATE USER [name] FROM EXTERNAL PROVIDER [WITH OBJECT_ID = ...]` names."""
    if object_id is not None:
        found = store.get_directory_object(object_id.strip().lower())
        candidates = [found] if found is not None and found.kind in EXTERNAL_KINDS else []
    else:
        by_upn = [
            user
            for user in store.find_directory_objects(kind="user")
            if str(user.body.get("userPrincipalName", "")).lower() == name.lower()
        ]
        by_name = [
            obj for obj in store.find_directory_objects(display_name=name) if obj.kind in ("group", "servicePrincipal")
        ]
        candidates = by_upn + by_name
    visible = [obj for obj in candidates if visible_to_arm(obj)]
    if not visible:
        raise TsqlError(33130, f"Principal '{name}' could not be found or this principal type is not supported.")
    if len(visible) > 1:
        raise TsqlError(
            33131,
            f"Principal '{name}' has a duplicate display name. Make the display name unique in Azure Active "
            "Directory and execute this statement again.",
        )
    return visible[0]


@dataclass(frozen=True)
class Caller:
    """Who a token's principal is to one database: the server's Entra admin (connected as dbo), and/or
    the contained users that match it (its own, or its groups')."""

    is_admin: bool
    users: tuple[ContainedUser, ...]
    roles: frozenset[str]
    login: str = ""  # SUSER_SNAME(): a user's UPN; an application's `<client id>@<tenant id>`

    @property
    def can_read(self) -> bool:
        if self.is_admin:
            return True
        return bool(self.roles & {"db_owner", "db_datareader"}) and "db_denydatareader" not in self.roles

    def holds_any(self, roles: frozenset[str]) -> bool:
        return self.is_admin or bool(self.roles & roles)


def caller_in_database(
    store: Store, state: DatabaseState, admin_sid: str | None, principal: Principal
) -> Caller | None:
    """The caller as the database sees it; None when it may not connect (no admin, no contained user)."""
    identities = {principal.object_id.lower()} | {group.lower() for group in store.groups_of(principal.object_id)}
    app_id = (principal.app_id or "").lower()
    is_admin = admin_sid is not None and (admin_sid.lower() in identities or admin_sid.lower() == app_id)
    users = tuple(user for user in state.users() if user.object_id in identities)
    if not is_admin and not users:
        return None
    member_ids = {user.principal_id for user in users} | ({DBO} if is_admin else set())
    role_ids = {role for role, member in state.role_members() if member in member_ids}
    roles = frozenset(name for name, role_id in FIXED_ROLES.items() if role_id in role_ids)
    return Caller(is_admin, users, roles, login_name(store, principal))


def login_name(store: Store, principal: Principal) -> str:
    """The login name Azure SQL gives a token's principal, as SUSER_SNAME() and SYSTEM_USER show it."""
    obj = store.get_directory_object(principal.object_id)
    if obj is not None and obj.kind == "user":
        return str(obj.body.get("userPrincipalName") or obj.id)
    return f"{principal.app_id or principal.object_id}@{principal.tenant_id}"
