"""The byte streams a TDS connection runs over: the plain socket, then TLS. As TDS 7.x does it, the TLS
handshake travels inside PRELOGIN packets; after it, TLS records go straight over TCP."""

from __future__ import annotations

import asyncio
import ssl

from provisioner.emulator.sql.tds.packets import PRELOGIN, Limits, ProtocolViolation, packets, read_message

READ_CHUNK = 65536


class PlainChannel:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def read_exactly(self, size: int) -> bytes:
        try:
            return await self.reader.readexactly(size)
        except asyncio.IncompleteReadError as error:
            raise ProtocolViolation("connection closed mid-packet") from error

    def write(self, data: bytes) -> None:
        self.writer.write(data)

    async def drain(self) -> None:
        await self.writer.drain()


class TlsChannel:
    def __init__(self, plain: PlainChannel, tls: ssl.SSLObject, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO):
        self._plain = plain
        self.tls = tls
        self._incoming = incoming
        self._outgoing = outgoing
        self._buffer = bytearray()

    async def read_exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            try:
                self._buffer += self.tls.read(READ_CHUNK)
            except ssl.SSLWantReadError:
                data = await self._plain.reader.read(READ_CHUNK)
                if not data:
                    raise ProtocolViolation("connection closed") from None
                self._incoming.write(data)
            except ssl.SSLError as error:
                raise ProtocolViolation("TLS record refused") from error
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        return chunk

    def write(self, data: bytes) -> None:
        self.tls.write(data)
        self._plain.write(self._outgoing.read())

    async def drain(self) -> None:
        await self._plain.drain()


async def start_tls(plain: PlainChannel, context: ssl.SSLContext, limits: Limits) -> TlsChannel:
    """Run the server side of the handshake, each flight wrapped in PRELOGIN packets."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_side=True)
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            _send_flight(plain, outgoing)
            await plain.drain()
            message = await read_message(plain, limits, READ_CHUNK)
            if message.type != PRELOGIN:
                raise ProtocolViolation("expected the TLS handshake in PRELOGIN packets") from None
            incoming.write(message.data)
        except ssl.SSLError as error:
            raise ProtocolViolation("TLS handshake failed") from error
    _send_flight(plain, outgoing)
    await plain.drain()
    return TlsChannel(plain, tls, incoming, outgoing)


def _send_flight(plain: PlainChannel, outgoing: ssl.MemoryBIO) -> None:
    flight = outgoing.read()
    if flight:
        plain.write(packets(PRELOGIN, flight, 4096))
