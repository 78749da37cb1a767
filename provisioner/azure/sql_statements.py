"""Every T-SQL statement the tool sends, built in one place and the same text on both targets: names
quoted as QUOTENAME quotes them, never interpolated raw; SIDs as SQL Server stores them."""

from __future__ import annotations

import uuid

from provisioner.errors import CloudError

MAX_NAME = 128  # sysname; QUOTENAME answers NULL past it

USERS = "SELECT name, type, sid FROM sys.database_principals WHERE type IN ('E', 'X')"
MEMBERSHIPS = (
    "SELECT member.name AS member, role.name AS role FROM sys.database_role_members AS m "
    "JOIN sys.database_principals AS member ON m.member_principal_id = member.principal_id "
    "JOIN sys.database_principals AS role ON m.role_principal_id = role.principal_id"
)
MAY_READ = "SELECT HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'SELECT')"


def quote_name(name: str) -> str:
    """A delimited identifier as QUOTENAME makes it: `[name]`, each `]` doubled; at most 128 characters."""
    if len(name) > MAX_NAME:  # what SQL Server answers for a longer identifier (Msg 103)
        message = f"The identifier that starts with '{name[:MAX_NAME]}' is too long. Maximum length is {MAX_NAME}."
        raise CloudError(message, status=400, code="103")
    return "[" + name.replace("]", "]]") + "]"


def create_user(name: str) -> str:
    return f"CREATE USER {quote_name(name)} FROM EXTERNAL PROVIDER"


def drop_user(name: str) -> str:
    return f"DROP USER IF EXISTS {quote_name(name)}"


def add_member(role: str, name: str) -> str:
    return f"ALTER ROLE {quote_name(role)} ADD MEMBER {quote_name(name)}"


def drop_member(role: str, name: str) -> str:
    return f"ALTER ROLE {quote_name(role)} DROP MEMBER {quote_name(name)}"


def sid_guid(sid: bytes | None) -> str | None:
    """The GUID a contained Entra user's `sid` holds (varbinary(16), in SQL Server's uniqueidentifier byte
    order: a service principal's application (client) id, a user's or group's object id), lower case."""
    if not isinstance(sid, bytes) or len(sid) != 16:
        return None
    return str(uuid.UUID(bytes_le=sid))
