"""mysql_database_user over the MySQL protocol (PyMySQL through `clients.mysql_wire`), signed in as the
server's Entra admin (its login and the server's FQDN come from ARM, read once per server per run).

A server's users are listed once per plan (`mysql.user`), a user's privileges with `SHOW GRANTS`.
Creating a user that exists (1396) adopts it; privileges are granted and revoked to match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provisioner.azure.mysql_wire import quote_name, quote_string
from provisioner.errors import CloudError
from provisioner.kinds.mysql_database_user import MySqlDatabaseUserSpec
from provisioner.providers.arm import get_or_none, parse_id, rest
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext

USER_EXISTS = "1396"
GRANT_LINE = re.compile(r"^GRANT (?P<privileges>.+) ON `(?P<database>(?:[^`]|``)+)`\.\* TO ")


@dataclass(frozen=True)
class Server:
    """Where and as whom the provider signs in to a database's server."""

    fqdn: str
    admin_login: str
    database: str

    def account(self, name: str) -> str:
        return f"{quote_string(name)}@'%'"


class MySqlDatabaseUserProvider(Provider[MySqlDatabaseUserSpec]):
    managed = ("privileges",)

    def read(self, ctx: ProviderContext, desired: Desired[MySqlDatabaseUserSpec]) -> Observed | None:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        server = _server(ctx, database_id)
        if server is None:
            return None
        users = ctx.cache.get_or_load(("mysql_users", server.fqdn), lambda: _users(ctx, server))
        if name not in users:
            return None
        return _observe(database_id, name, _privileges(ctx, server, name))

    def create(self, ctx: ProviderContext, desired: Desired[MySqlDatabaseUserSpec]) -> Observed:
        database_id, name = str(desired.spec.database), str(desired.spec.name)
        server = _required_server(ctx, database_id)
        statement = f"CREATE AADUSER {quote_string(name)} IDENTIFIED BY {quote_string(str(desired.spec.identity))}"
        try:
            _run(ctx, server, statement)
        except CloudError as error:
            if error.code != USER_EXISTS:
                raise
        return self._sync(ctx, desired, server, _privileges(ctx, server, name))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[MySqlDatabaseUserSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        server = _required_server(ctx, str(desired.spec.database))
        return self._sync(ctx, desired, server, list(observed.attributes.get("privileges") or []))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        database_id, _, name = azure_id.rpartition("/users/")
        server = _server(ctx, database_id)
        if server is not None:
            _run(ctx, server, f"DROP USER IF EXISTS {server.account(name)}")

    def _sync(
        self, ctx: ProviderContext, desired: Desired[MySqlDatabaseUserSpec], server: Server, current: list[str]
    ) -> Observed:
        name = str(desired.spec.name)
        wanted = sorted({str(privilege) for privilege in desired.spec.privileges})
        target = f"{quote_name(server.database)}.*"
        missing = [privilege for privilege in wanted if privilege not in current]
        extra = [privilege for privilege in current if privilege not in wanted]
        if missing:
            _run(ctx, server, f"GRANT {', '.join(missing)} ON {target} TO {server.account(name)}")
        if extra:
            _run(ctx, server, f"REVOKE {', '.join(extra)} ON {target} FROM {server.account(name)}")
        return _observe(str(desired.spec.database), name, wanted)


def _server(ctx: ProviderContext, database_id: str) -> Server | None:
    """The database's server, its FQDN and Entra admin login (None when the server or admin is gone)."""
    parts = parse_id(database_id)
    group, name, database = parts["resource_group"], parts["name"], parts["child_name_1"]

    def load() -> tuple[str, str] | None:
        mysql = ctx.clients.mysql
        found = get_or_none(lambda: mysql.servers.get(group, name))
        admin = get_or_none(lambda: mysql.azure_ad_administrators.get(group, name, "ActiveDirectory"))
        if found is None or admin is None:
            return None
        return str(rest(found)["properties"]["fullyQualifiedDomainName"]), str(rest(admin)["properties"]["login"])

    loaded = ctx.cache.get_or_load(("mysql_server_login", group, name), load)
    return None if loaded is None else Server(loaded[0], loaded[1], database)


def _required_server(ctx: ProviderContext, database_id: str) -> Server:
    server = _server(ctx, database_id)
    if server is None:
        message = f"404 ServerOrAdminNotFound: the server of {database_id} or its Entra admin does not exist"
        raise CloudError(message, status=404, code="ServerOrAdminNotFound")
    return server


def _run(ctx: ProviderContext, server: Server, statement: str) -> Any:
    return ctx.clients.mysql_wire.query(server.fqdn, server.database, server.admin_login, statement)


def _users(ctx: ProviderContext, server: Server) -> frozenset[str]:
    return frozenset(str(row[0]) for row in _run(ctx, server, "SELECT User FROM mysql.user").rows)


def _privileges(ctx: ProviderContext, server: Server, name: str) -> list[str]:
    """The user's privileges on the database, from SHOW GRANTS."""
    found: set[str] = set()
    for row in _run(ctx, server, f"SHOW GRANTS FOR {server.account(name)}").rows:
        match = GRANT_LINE.match(str(row[0]))
        if match and match.group("database").replace("``", "`") == server.database:
            found.update(privilege.strip() for privilege in match.group("privileges").split(","))
    return sorted(found)


def _observe(database_id: str, name: str, privileges: list[str]) -> Observed:
    return Observed(f"{database_id}/users/{name}", {"name": name, "privileges": sorted(privileges)}, {})
