"""TLS for the MySQL listener over memory BIOs, under mysql-mimic's packet stream (which reads and writes
through `ConnectionReader` / `ConnectionWriter`, plain first, TLS after the SSLRequest).

Why not mysql-mimic's own `start_tls` (asyncio's `loop.start_tls`): it loses a ClientHello that arrived
together with the SSLRequest packet (it sits in the StreamReader's buffer, never reaching the TLS layer),
which a fast client on loopback does nearly every time. Reading the handshake through the StreamReader
keeps those bytes.

Reads are bounded: a packet longer than the current limit is refused (the rest of it, up to MySQL's
16 MiB, is read and dropped so that the client reads the error)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

from provisioner.emulator.sql.tds.channel import READ_CHUNK, PlainChannel, TlsChannel
from provisioner.emulator.sql.tds.packets import ProtocolViolation

# What a client may send before its handshake completes; the last read may already hold application
# data that follows the client's Finished (up to one READ_CHUNK).
HANDSHAKE_BYTES = 4 * READ_CHUNK


async def server_handshake(plain: PlainChannel, context: ssl.SSLContext) -> TlsChannel:
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_side=True)
    received = 0
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            plain.write(outgoing.read())
            await plain.drain()
            data = await plain.reader.read(READ_CHUNK)
            received += len(data)
            if not data or received > HANDSHAKE_BYTES:
                raise ConnectionResetError("TLS handshake ended early") from None
            incoming.write(data)
    plain.write(outgoing.read())
    await plain.drain()
    return TlsChannel(plain, tls, incoming, outgoing)


class Refused(Exception):
    """What ends a connection with MySQL's error `code` (a packet too large, a handshake that does not parse)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class ConnectionReader:
    """The StreamReader, then the TLS channel, with a limit on the size of one read."""

    def __init__(self, reader: asyncio.StreamReader, limit: int, refusal: Refused) -> None:
        self.plain = reader
        self._channel: TlsChannel | None = None
        self.limit = limit
        self.refusal = refusal

    def use(self, channel: TlsChannel) -> None:
        self._channel = channel

    async def read(self, n: int = -1) -> bytes:
        if self._channel is None:
            return await self.plain.read(n)
        return await self._exactly(n)

    async def readexactly(self, n: int) -> bytes:
        if n > self.limit:
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                await self._exactly(n)
            raise self.refusal
        return await self._exactly(n)

    async def _exactly(self, n: int) -> bytes:
        if self._channel is None:
            return await self.plain.readexactly(n)
        try:
            return await self._channel.read_exactly(n)
        except ProtocolViolation:
            raise asyncio.IncompleteReadError(b"", n) from None


class ConnectionWriter:
    """The StreamWriter, then the TLS channel."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.plain = writer
        self._channel: TlsChannel | None = None

    def use(self, channel: TlsChannel) -> None:
        self._channel = channel

    def write(self, data: bytes | bytearray) -> None:
        if self._channel is None:
            self.plain.write(data)
        else:
            self._channel.write(bytes(data))

    async def drain(self) -> None:
        await self.plain.drain()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "ssl_object":
            return self._channel.tls if self._channel is not None else default
        return self.plain.get_extra_info(name, default)

    def close(self) -> None:
        self.plain.close()

    @property
    def transport(self) -> Any:
        return self.plain.transport


async def upgrade(reader: ConnectionReader, writer: ConnectionWriter, context: ssl.SSLContext) -> None:
    """After an SSLRequest: the handshake, then every read and write through TLS."""
    channel = await server_handshake(PlainChannel(reader.plain, writer.plain), context)
    reader.use(channel)
    writer.use(channel)
