"""The TDS listener: PRELOGIN, TLS inside PRELOGIN packets, LOGIN7 with a FEDAUTH security token, then
SQL batches. Protocol violations close the connection; SQL errors answer ERROR + DONE and go on."""

from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path

from provisioner.emulator.core.connections import Connections
from provisioner.emulator.core.listener_tls import listener_context
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.sql import sessions
from provisioner.emulator.sql.tds import login7, prelogin, tokens
from provisioner.emulator.sql.tds.channel import PlainChannel, TlsChannel, start_tls
from provisioner.emulator.sql.tds.packets import (
    ATTENTION,
    DEFAULT_PACKET_SIZE,
    LOGIN7,
    MAX_PACKET_SIZE,
    MIN_PACKET_SIZE,
    PRELOGIN,
    SQL_BATCH,
    TABULAR_RESULT,
    Channel,
    Limits,
    ProtocolViolation,
    packets,
    read_message,
)
from provisioner.emulator.sql.tsql import TsqlError

LOG = logging.getLogger(__name__)
DONE_ATTENTION = 0x20
CANNOT_OPEN_DATABASE = 4060


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = listener_context(cert, key)
    # TDS 7.x carries TLS 1.2 at most (TLS 1.3 is TDS 8's, strict encryption): Microsoft's ODBC driver
    # sends a TLS 1.3 client's last handshake flight outside PRELOGIN packets
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


class TdsServer:
    def __init__(self, cloud: LocalCloud, context: ssl.SSLContext, limits: Limits | None = None) -> None:
        self._cloud = cloud
        self._context = context
        self._limits = limits or Limits()
        self._connections = Connections()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with self._connections.serving(writer):
            try:
                peer = writer.get_extra_info("peername")
                await self._serve(PlainChannel(reader, writer), str(peer[0]) if peer else "")
            except (ProtocolViolation, ConnectionError) as violation:
                LOG.debug("TDS connection closed: %s", violation)

    async def _serve(self, plain: PlainChannel, client_ip: str) -> None:
        first = await read_message(plain, self._limits, DEFAULT_PACKET_SIZE)
        if first.type != PRELOGIN:
            raise ProtocolViolation("the first message must be PRELOGIN")
        options = prelogin.parse(first.data)
        plain.write(packets(TABULAR_RESULT, prelogin.answer(options), DEFAULT_PACKET_SIZE))
        await plain.drain()
        if prelogin.client_refuses_encryption(options):
            raise ProtocolViolation("client does not support encryption")
        channel = await start_tls(plain, self._context, self._limits)
        session, size = await self._login(channel, client_ip)
        while True:
            message = await read_message(channel, self._limits, size)
            await self._reply(channel, size, self._answer(session, message.type, message.data))

    async def _login(self, channel: TlsChannel, client_ip: str) -> tuple[sessions.Session, int]:
        message = await read_message(channel, self._limits, DEFAULT_PACKET_SIZE)
        if message.type != LOGIN7:
            raise ProtocolViolation("expected LOGIN7")
        login = login7.parse(message.data)
        size = min(max(login.packet_size or DEFAULT_PACKET_SIZE, MIN_PACKET_SIZE), MAX_PACKET_SIZE)
        try:
            session = sessions.open_session(self._cloud, login.server_name, login.database, login.token, client_ip)
        except TsqlError as refused:
            await self._reply(channel, size, _refusal(refused))
            raise ProtocolViolation(f"login refused ({refused.number})") from refused
        stream = tokens.env_database(session.database_name) + tokens.env_collation() + tokens.loginack()
        stream += tokens.fedauth_ack() + tokens.env_packet_size(size) + tokens.done()
        await self._reply(channel, size, stream)
        return session, size

    def _answer(self, session: sessions.Session, kind: int, data: bytes) -> bytes:
        if kind == ATTENTION:
            return tokens.done(DONE_ATTENTION)
        if kind != SQL_BATCH:
            return _refusal(TsqlError(4002, "The incoming tabular data stream (TDS) protocol stream is incorrect."))
        text = _batch_text(data)
        try:
            result = session.run(text)
        except TsqlError as error:
            _log(session, text, error.number)
            return _refusal(error)
        _log(session, text, 0)
        if not result.columns:
            return tokens.done()
        return tokens.result_set(result.columns, result.rows, result.types)

    async def _reply(self, channel: Channel, size: int, stream: bytes) -> None:
        channel.write(packets(TABULAR_RESULT, stream, size))
        await channel.drain()

    def close_all(self) -> None:
        self._connections.close_all()


def _log(session: sessions.Session, text: str, number: int) -> None:
    """One batch in the request log, surface sql: a SELECT reads, anything else writes; status 200 or 400."""
    words = text.upper().split()
    verb = " ".join(words[:1] if words[:1] == ["SELECT"] else words[:2])
    category = "reads" if verb == "SELECT" else "writes"
    status = 400 if number else 200
    session.cloud.log.record("TDS", session.database.id, "sql", verb, status, "", category, text)


def _refusal(error: TsqlError) -> bytes:
    stream = tokens.error(error.number, error.message, state=error.state, level=error.level)
    if error.number == CANNOT_OPEN_DATABASE:  # SQL Server follows 4060 with the login failure itself
        stream += tokens.error(18456, sessions.LOGIN_FAILED, state=1, level=14)
    return stream + tokens.done(tokens.DONE_ERROR)


def _batch_text(data: bytes) -> str:
    """SQL_BATCH: ALL_HEADERS (its DWORD total length includes itself), then the UCS-2 text."""
    if len(data) < 4:
        raise ProtocolViolation("SQL_BATCH without ALL_HEADERS")
    skip = int.from_bytes(data[0:4], "little")
    if skip < 4 or skip > len(data):
        raise ProtocolViolation("ALL_HEADERS length")
    try:
        return data[skip:].decode("utf-16-le")
    except UnicodeDecodeError as error:
        raise ProtocolViolation("SQL_BATCH text is not UCS-2") from error
