"""A TDS connection's view of one database: who logged in (checked as Azure SQL checks a login: the
server, then the token, then the database, then a contained user or the Entra admin) and running
its batches through the T-SQL executor."""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.emulator.core import config
from provisioner.emulator.core.bearer import principal_from_token
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.sql.catalog import ResultSet
from provisioner.emulator.sql.firewall import firewall_admits, firewall_refusal
from provisioner.emulator.sql.models import SERVER_TYPE
from provisioner.emulator.sql.principals import Caller, DatabaseState, caller_in_database
from provisioner.emulator.sql.routes import admin_of
from provisioner.emulator.sql.scalars import Context, is_scalar_select, run_scalar_select
from provisioner.emulator.sql.statements import execute
from provisioner.emulator.sql.tsql import TsqlError, parse

LOGIN_FAILED = "Login failed for user '<token-identified principal>'."
HOST_SUFFIX = ".database.windows.net"


@dataclass(frozen=True)
class Session:
    cloud: LocalCloud
    database: StoredResource
    caller: Caller

    @property
    def database_name(self) -> str:
        return str(self.database.body["name"])

    def run(self, text: str) -> ResultSet:
        if is_scalar_select(text):
            return run_scalar_select(text, Context(self.database_name, self.caller))
        statement = parse(text)
        store = self.cloud.store
        with store.transaction():
            state = DatabaseState(store, self.database.id)
            return execute(store, state, self.caller, statement, self.database.body["properties"]["creationDate"])


def server_named(cloud: LocalCloud, server_name: str) -> StoredResource:
    """The server a login's ServerName names: `name` or `name.database.windows.net`."""
    name = server_name.lower().removesuffix(HOST_SUFFIX)
    found = [item for item in cloud.store.list_resources(resource_type=SERVER_TYPE) if item.body["name"] == name]
    if not found:
        raise TsqlError(40532, f'Cannot open server "{name}" requested by the login. The login failed.', level=20)
    return found[0]


def open_session(cloud: LocalCloud, server_name: str, database_name: str, token: str | None, client_ip: str) -> Session:
    server = server_named(cloud, server_name)
    if not firewall_admits(cloud.store, server, client_ip):  # the gateway's check, before any login
        raise TsqlError(40615, firewall_refusal(str(server.body["name"]), client_ip), level=14)
    if not token:
        raise TsqlError(18456, LOGIN_FAILED, level=14)
    try:
        principal = principal_from_token(cloud.tokens, token, config.SQL_AUDIENCES)
    except CloudServiceError as refused:
        raise TsqlError(18456, LOGIN_FAILED, level=14) from refused
    database = cloud.store.get_resource(f"{server.id}/databases/{database_name or 'master'}")
    if database is None:
        message = f'Cannot open database "{database_name}" requested by the login. The login failed.'
        raise TsqlError(4060, message, level=11)
    admin = admin_of(cloud.store, server.id)
    admin_sid = admin.body["properties"]["sid"] if admin else None
    caller = caller_in_database(cloud.store, DatabaseState(cloud.store, database.id), admin_sid, principal)
    if caller is None:
        raise TsqlError(18456, LOGIN_FAILED, level=14)
    return Session(cloud, database, caller)
