"""Running a parsed statement against one database's authorization state, with SQL Server's permission
rules and answers: CREATE/DROP USER need ALTER ANY USER (the Entra admin, db_owner, db_accessadmin),
ALTER ROLE on a fixed role needs db_owner (or the admin); SELECT on the catalog views needs a connection."""

from __future__ import annotations

from provisioner.emulator.core.store import Store
from provisioner.emulator.sql.catalog import (
    PRINCIPALS,
    ROLE_MEMBERS,
    ResultSet,
    principal_rows,
    role_member_rows,
    run_select,
)
from provisioner.emulator.sql.principals import (
    BUILTIN_USERS,
    FIXED_ROLES,
    Caller,
    DatabaseState,
    resolve_external,
)
from provisioner.emulator.sql.tsql import AlterRole, CreateUser, DropUser, Select, Statement, TsqlError

ALTER_ANY_USER = frozenset({"db_owner", "db_accessadmin"})
ALTER_FIXED_ROLE = frozenset({"db_owner"})
NO_ROWS = ResultSet([], [])


def _require(caller: Caller, roles: frozenset[str]) -> None:
    if not caller.holds_any(roles):
        raise TsqlError(15247, "User does not have permission to perform this action.")


def execute(store: Store, state: DatabaseState, caller: Caller, statement: Statement, created: str) -> ResultSet:
    if isinstance(statement, Select):
        tables = {PRINCIPALS: principal_rows(state, created), ROLE_MEMBERS: role_member_rows(state)}
        return run_select(statement, tables)
    if isinstance(statement, CreateUser):
        _require(caller, ALTER_ANY_USER)
        _create_user(store, state, statement)
    elif isinstance(statement, DropUser):
        _require(caller, ALTER_ANY_USER)
        _drop_user(state, statement)
    else:
        _require(caller, ALTER_FIXED_ROLE)
        _alter_role(state, statement)
    return NO_ROWS


def _taken(state: DatabaseState, name: str) -> bool:
    reserved = {*BUILTIN_USERS, *FIXED_ROLES, "public"}
    return state.user_named(name) is not None or name.lower() in {item.lower() for item in reserved}


def _create_user(store: Store, state: DatabaseState, statement: CreateUser) -> None:
    if _taken(state, statement.name):
        raise TsqlError(15023, f"User, group, or role '{statement.name}' already exists in the current database.")
    principal = resolve_external(store, statement.name, statement.object_id)
    if any(user.object_id == principal.id.lower() for user in state.users()):
        raise TsqlError(15063, "The login already has an account under a different user name.")
    state.add_user(statement.name, principal)


def _drop_user(state: DatabaseState, statement: DropUser) -> None:
    if statement.name.lower() in {name.lower() for name in BUILTIN_USERS}:
        raise TsqlError(15150, f"Cannot drop the user '{statement.name}'.")
    user = state.user_named(statement.name)
    if user is not None:
        state.drop_user(user)
    elif not statement.if_exists:
        raise TsqlError(
            15151, f"Cannot drop the user '{statement.name}', because it does not exist or you do not have permission."
        )


def _alter_role(state: DatabaseState, statement: AlterRole) -> None:
    role_id = next((role_id for name, role_id in FIXED_ROLES.items() if name == statement.role.lower()), None)
    if role_id is None:
        raise TsqlError(
            15151, f"Cannot alter the role '{statement.role}', because it does not exist or you do not have permission."
        )
    member = state.user_named(statement.member)
    if member is None:
        verb = "add" if statement.add else "drop"
        raise TsqlError(
            15151,
            f"Cannot {verb} the principal '{statement.member}', because it does not exist or you do not have "
            "permission.",
        )
    state.set_member(role_id, member.principal_id, present=statement.add)
