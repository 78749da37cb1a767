"""The MySQL listener of the local cloud (mysql-mimic): TLS required (the TLS server name picks the
server, as `<server>.mysql.database.azure.com` does on Azure), `mysql_clear_password` with an Entra
token as the password, then the statements of `statements.py`.

Reads are bounded: a handshake packet over 64 KiB is "Bad handshake" (1043), a command over 1 MiB
1153; a refused sign-in ends the connection after MySQL's error. A connection's failure never reaches
the listener: every other connection goes on.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
import ssl
import struct
from collections.abc import AsyncGenerator
from typing import Any

from mysql_mimic import packets
from mysql_mimic.auth import FILLER, AuthInfo, AuthPlugin, Forbidden, IdentityProvider, Success, User
from mysql_mimic.connection import Connection
from mysql_mimic.errors import ErrorCode, MysqlError
from mysql_mimic.server import MysqlServer
from mysql_mimic.session import BaseSession
from mysql_mimic.stream import ConnectionClosed, MysqlStream
from mysql_mimic.types import read_str_null
from mysql_mimic.variables import GlobalVariables, SessionVariables

from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.mysql import handshake, statements
from provisioner.emulator.mysql.login import resolve_principal, sign_in
from provisioner.emulator.mysql.statements import Caller
from provisioner.emulator.mysql.tls_stream import ConnectionReader, ConnectionWriter, Refused, upgrade

LOG = logging.getLogger(__name__)
PLUGIN = "mysql_clear_password"
HANDSHAKE_LIMIT = 64 * 1024
CONNECT_TIMEOUT_SECONDS = 10.0  # MySQL's connect_timeout
COMMAND_LIMIT = 1024 * 1024
INSECURE_TRANSPORT = 3159
PACKET_TOO_LARGE = 1153
_CURRENT: contextvars.ContextVar[LocalMysqlConnection] = contextvars.ContextVar("mysql_connection")


class TokenPlugin(AuthPlugin):  # type: ignore[misc]
    """`mysql_clear_password`: the password is an Entra access token, checked by `login.sign_in`."""

    name = PLUGIN
    client_plugin_name = PLUGIN

    async def auth(self, auth_info: AuthInfo | None = None) -> AsyncGenerator[Any, AuthInfo]:
        if not auth_info:
            auth_info = yield FILLER
        token = read_str_null(io.BytesIO(auth_info.data)).decode("utf-8", "replace")
        connection = _CURRENT.get()
        caller = connection.sign_in(auth_info.username, token)
        yield Success(caller.user) if caller is not None else Forbidden()


class TokenUsers(IdentityProvider):  # type: ignore[misc]
    """Every user name signs in with a token (who it is, the token and the server decide)."""

    def get_plugins(self) -> list[AuthPlugin]:
        return [TokenPlugin()]

    async def get_user(self, username: str) -> User:
        return User(name=username, auth_plugin=PLUGIN)


class StatementSession(BaseSession):  # type: ignore[misc]
    def __init__(self) -> None:
        self.variables = SessionVariables(GlobalVariables())
        self.variables.set("version", "8.0.21", force=True)
        self.username: str | None = None
        self.database: str | None = None
        self.caller: Caller | None = None
        self.cloud: LocalCloud | None = None

    async def handle_query(self, sql: str, attrs: dict[str, str]) -> Any:
        if self.caller is None or self.cloud is None:
            raise MysqlError("Access denied", ErrorCode.ACCESS_DENIED_ERROR)
        cloud = self.cloud
        result = statements.run(self.caller, sql, lambda name, oid: resolve_principal(cloud, name, oid))
        self.database = self.caller.database
        return result

    async def use(self, database: str) -> None:
        if self.caller is not None:
            statements.run(self.caller, f"USE `{database.replace('`', '``')}`", None)
            self.database = database


class LocalMysqlConnection(Connection):  # type: ignore[misc]
    """A connection that signs in through `login.sign_in` and ends after a refused sign-in."""

    _task: asyncio.Task[None] | None

    def __init__(self, cloud: LocalCloud, reader: ConnectionReader, writer: ConnectionWriter, **kwargs: Any) -> None:
        super().__init__(stream=MysqlStream(reader, writer), **kwargs)
        self.cloud = cloud
        self.reader = reader
        self.writer = writer
        self.caller: Caller | None = None

    def sign_in(self, user: str, token: str) -> Caller | None:
        ssl_object = self.writer.get_extra_info("ssl_object")
        peer = self.stream.writer.get_extra_info("peername") or ("127.0.0.1", 0)
        server_name = getattr(ssl_object, "requested_server_name", None)
        self.caller = sign_in(self.cloud, server_name, user, token, self.session.database, str(peer[0]))
        return self.caller

    async def connection_phase(self) -> None:
        """mysql-mimic's connection phase, with the TLS upgrade of `tls_stream.upgrade`."""
        plugin = self.identity_provider.get_default_plugin()
        self.handshake_auth_data, auth_state = await plugin.start()
        self.handshake_auth_plugin = plugin.name
        greeting = packets.make_handshake_v10(
            capabilities=self.server_capabilities,
            server_charset=self.server_charset,
            server_version=str(self.session.variables.get("version")),
            connection_id=self.connection_id,
            auth_data=self.handshake_auth_data,
            status_flags=self.status_flags,
            auth_plugin_name=plugin.name,
        )
        await self.stream.write(greeting)
        response = _parsed(packets.parse_handshake_response, self.server_capabilities, await self.stream.read())
        if not isinstance(response, packets.SSLRequest):
            message = "Connections using insecure transport are prohibited while --require_secure_transport=ON."
            raise Refused(INSECURE_TRANSPORT, message)
        await upgrade(self.reader, self.writer, self.ssl)
        data = await self.stream.read()
        response = _parsed(packets.parse_handshake_response_41, self.server_capabilities, data)
        self.capabilities = response.capabilities
        self.max_packet_size = response.max_packet_size
        self.session.variables.set("character_set_client", response.client_charset.name)
        self.session.database = response.database
        self.client_plugin_name = response.client_plugin
        self.client_connect_attrs = response.connect_attrs
        self.zstd_compression_level = response.zstd_compression_level
        self.session.variables.set("external_user", response.username, force=True)
        await self.authenticate(
            auth_state=auth_state,
            server_plugin=plugin,
            username=response.username,
            client_plugin_name=response.client_plugin,
            auth_response=response.auth_response,
            connect_attrs=response.connect_attrs,
        )
        self.stream.reset_seq()

    # Commands the tool and the tutorials never send, whose parsers in mysql-mimic read strings without
    # bounds: refused as MySQL refuses a command it does not know.
    async def handle_change_user(self, data: bytes) -> None:
        raise MysqlError("Unknown command", ErrorCode.UNKNOWN_COM_ERROR)

    handle_field_list = handle_change_user
    handle_stmt_prepare = handle_change_user
    handle_stmt_send_long_data = handle_change_user
    handle_stmt_execute = handle_change_user
    handle_stmt_fetch = handle_change_user
    handle_stmt_reset = handle_change_user
    handle_stmt_close = handle_change_user
    handle_debug = handle_change_user

    async def start(self) -> None:
        _CURRENT.set(self)
        task = asyncio.create_task(self._serve())
        self._task = task  # what mysql-mimic's kill() cancels
        try:
            await task
        finally:
            self._task = None

    async def _serve(self) -> None:
        try:
            await asyncio.wait_for(self.connection_phase(), CONNECT_TIMEOUT_SECONDS)
        except TimeoutError:
            return  # as MySQL's connect_timeout: the connection is closed
        except (MysqlError, Refused) as refused:
            code = refused.code if isinstance(refused, Refused) else int(refused.code)
            message = str(refused) if isinstance(refused, Refused) else refused.msg
            await self.stream.write(self.error(msg=message, code=code))
            return
        if self.caller is None:
            return  # mysql-mimic has sent 1045
        session: StatementSession = self.session
        session.caller, session.cloud = self.caller, self.cloud
        self.reader.limit = COMMAND_LIMIT
        self.reader.refusal = Refused(PACKET_TOO_LARGE, "Got a packet bigger than 'max_allowed_packet' bytes")
        try:
            await self.command_phase()
        except Refused as refused:
            await self.stream.write(self.error(msg=str(refused), code=refused.code))
        finally:
            await self.session.close()


class MysqlListener(MysqlServer):  # type: ignore[misc]
    def __init__(self, cloud: LocalCloud, context: ssl.SSLContext) -> None:
        context.sni_callback = _remember_server_name
        super().__init__(session_factory=StatementSession, identity_provider=TokenUsers(), ssl=context)
        self.cloud = cloud
        self.connections: set[LocalMysqlConnection] = set()

    async def _client_connected_cb(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = LocalMysqlConnection(
            self.cloud,
            ConnectionReader(reader, HANDSHAKE_LIMIT, Refused(int(ErrorCode.HANDSHAKE_ERROR), "Bad handshake")),
            ConnectionWriter(writer),
            session=StatementSession(),
            control=self.control,
            server_capabilities=self.capabilities,
            identity_provider=self.identity_provider,
            ssl=self.ssl,
        )
        self.connections.add(connection)
        try:
            connection.connection_id = await self.control.add(connection)
            await connection.start()
        except (
            ConnectionClosed,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.CancelledError,  # the listener is shutting down (close_all)
            ssl.SSLError,
            MysqlError,
        ) as failure:
            LOG.debug("MySQL connection closed: %s", failure)
        except Exception:  # one connection's failure must not reach the listener
            LOG.exception("MySQL connection failed")
        finally:
            self.connections.discard(connection)
            await self.control.remove(connection.connection_id)
            writer.close()

    def close_all(self) -> None:
        for connection in list(self.connections):
            connection.kill()


def _parsed(parse: Any, capabilities: Any, data: bytes) -> Any:
    """A handshake packet, or MySQL's 1043 for one that does not parse (truncated, garbage)."""
    try:
        handshake.check(data, int(capabilities))
        return parse(capabilities=capabilities, data=data)
    except (struct.error, ValueError, IndexError, KeyError, EOFError) as failure:
        raise Refused(int(ErrorCode.HANDSHAKE_ERROR), "Bad handshake") from failure


def _remember_server_name(ssl_object: Any, server_name: str | None, context: ssl.SSLContext) -> None:
    """Keep the TLS server name (SNI) the client asked for: it names the MySQL server."""
    ssl_object.requested_server_name = server_name
