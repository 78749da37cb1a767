"""The local cloud's PostgreSQL listener: one port for every local flexible server, which it picks by
the TLS SNI host name (`<server>.postgres.database.azure.com`) as Azure's gateway does. It speaks the
protocol up to authentication itself (SSLRequest, TLS with the local CA, StartupMessage,
AuthenticationCleartextPassword, PasswordMessage), checks the sign-in (signin.py), then opens the
server's real cluster over its unix socket as that role (trust: only the local cloud reaches it) and
relays bytes both ways, the cluster's AuthenticationOk first. Every read before that is bounded in
size and time; a refusal is PostgreSQL's ErrorResponse, then the connection is closed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from dataclasses import dataclass

from provisioner.emulator.core.connections import Connections
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.postgres import wire
from provisioner.emulator.postgres.clusters import clusters_for
from provisioner.emulator.postgres.signin import Refused, authenticate, server_named

LOG = logging.getLogger(__name__)
RELAY_CHUNK = 65_536
DRAIN_BYTES = 1 << 20
DRAIN_SECONDS = 0.2
SNI_ATTRIBUTE = "postgres_server_name"


@dataclass(frozen=True)
class Limits:
    startup_timeout: float = 10.0
    """Seconds a client has for each read before it is signed in (and for the TLS handshake)."""


def server_context(cert: str, key: str) -> ssl.SSLContext:
    """TLS 1.2+ with the local cloud's certificate; the SNI host name is kept on the connection."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)

    def remember(connection: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: ssl.SSLContext) -> None:
        setattr(connection, SNI_ATTRIBUTE, name)

    context.sni_callback = remember
    return context


class PostgresListener:
    def __init__(self, cloud: LocalCloud, context: ssl.SSLContext, limits: Limits | None = None) -> None:
        self._cloud = cloud
        self._context = context
        self._limits = limits or Limits()
        self._connections = Connections()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with self._connections.serving(writer):
            try:
                await self._serve(reader, writer)
            except wire.ProtocolError as violation:
                await _refuse(reader, writer, violation.code, str(violation))
            except Refused as refused:
                await _refuse(reader, writer, refused.code, refused.message)
            except (ConnectionError, ssl.SSLError, TimeoutError) as failure:
                LOG.debug("PostgreSQL connection closed: %s", failure)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        timeout = self._limits.startup_timeout
        first = await wire.read_startup(reader, timeout)
        if first.code == wire.GSSENC_REQUEST:
            writer.write(b"N")
            first = await wire.read_startup(reader, timeout)
        if first.code == wire.CANCEL_REQUEST:
            return  # no session of ours can be cancelled this way: PostgreSQL also just closes
        if first.is_startup:
            user, database = first.parameters.get("user", ""), first.parameters.get("database", "")
            peer = (writer.get_extra_info("peername") or ("unknown",))[0]
            message = f'no pg_hba.conf entry for host "{peer}", user "{user}", database "{database}", no encryption'
            raise Refused("28000", message)
        if first.code != wire.SSL_REQUEST:
            major, minor = first.code >> 16, first.code & 0xFFFF
            raise wire.ProtocolError(
                f"unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.2", "0A000"
            )
        writer.write(b"S")
        await writer.drain()
        await writer.start_tls(self._context, ssl_handshake_timeout=timeout)
        await self._sign_in(reader, writer)

    async def _sign_in(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        timeout = self._limits.startup_timeout
        startup = await wire.read_startup(reader, timeout)
        if not startup.is_startup:
            raise wire.ProtocolError("unsupported frontend protocol: expected a StartupMessage after TLS")
        parameters = dict(startup.parameters)
        user = parameters.pop("user", "")
        if not user:
            raise Refused("28000", "no PostgreSQL user name specified in startup packet")
        database = parameters.pop("database", "") or user
        ssl_object = writer.get_extra_info("ssl_object")
        server = server_named(self._cloud, getattr(ssl_object, SNI_ATTRIBUTE, None))
        writer.write(wire.auth_request(wire.AUTH_CLEARTEXT))
        await writer.drain()
        password = await wire.read_password(reader, timeout)
        role = await asyncio.to_thread(authenticate, self._cloud, server, user, password)
        socket = await asyncio.to_thread(clusters_for(self._cloud.data_dir).ensure, server.id)
        backend_reader, backend_writer = await asyncio.open_unix_connection(socket.path)
        backend_writer.write(wire.startup_message({"user": role, "database": database, **parameters}))
        await backend_writer.drain()
        await _relay(reader, writer, backend_reader, backend_writer)

    def close_all(self) -> None:
        self._connections.close_all()


async def _relay(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    backend_reader: asyncio.StreamReader,
    backend_writer: asyncio.StreamWriter,
) -> None:
    """Copy bytes both ways until either side closes; then close both."""

    async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await source.read(RELAY_CHUNK):
                sink.write(chunk)
                await sink.drain()

    tasks = [
        asyncio.create_task(pipe(client_reader, backend_writer)),
        asyncio.create_task(pipe(backend_reader, client_writer)),
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        backend_writer.close()
        with contextlib.suppress(Exception):
            await backend_writer.wait_closed()


async def _refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, code: str, message: str) -> None:
    """Send the ErrorResponse, then read what the client still sends for a moment (at most 1 MiB): closing
    with unread input resets the connection, and the client could lose the error before reading it."""
    with contextlib.suppress(Exception):
        writer.write(wire.error_response(code, message))
        await writer.drain()
        left = DRAIN_BYTES
        while left > 0 and (chunk := await asyncio.wait_for(reader.read(RELAY_CHUNK), DRAIN_SECONDS)):
            left -= len(chunk)
