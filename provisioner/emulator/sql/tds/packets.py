"""TDS packets ([MS-TDS] 2.2.3): an 8-byte header (type, status, big-endian length, SPID, packet id,
window) then data; a message is the packets up to the one with status END_OF_MESSAGE. Every read is
bounded by a size limit and a timeout, so hostile input closes the connection instead of hanging it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Protocol

HEADER_SIZE = 8
END_OF_MESSAGE = 0x01
SQL_BATCH = 0x01
TABULAR_RESULT = 0x04
ATTENTION = 0x06
TRANSACTION_MANAGER = 0x0E
LOGIN7 = 0x10
PRELOGIN = 0x12
MIN_PACKET_SIZE = 512
DEFAULT_PACKET_SIZE = 4096
MAX_PACKET_SIZE = 32767


class ProtocolViolation(Exception):
    """Input no SQL Server would accept: the connection is closed."""


@dataclass(frozen=True)
class Limits:
    message_bytes: int = 1024 * 1024
    idle_seconds: float = 600.0
    read_seconds: float = 10.0


class Channel(Protocol):
    async def read_exactly(self, size: int) -> bytes: ...

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...


@dataclass(frozen=True)
class Message:
    type: int
    data: bytes


async def read_message(channel: Channel, limits: Limits, packet_size: int) -> Message:
    """One whole message: the first header may wait `idle_seconds`, everything after `read_seconds`."""
    parts: list[bytes] = []
    total = 0
    first_type: int | None = None
    while True:
        wait = limits.idle_seconds if first_type is None else limits.read_seconds
        header = await _timed(channel.read_exactly(HEADER_SIZE), wait)
        kind, status, length = header[0], header[1], int.from_bytes(header[2:4], "big")
        if length < HEADER_SIZE or length > max(packet_size, DEFAULT_PACKET_SIZE):
            raise ProtocolViolation(f"packet length {length}")
        if first_type is not None and kind != first_type:
            raise ProtocolViolation("packet type changed inside a message")
        first_type = kind
        total += length - HEADER_SIZE
        if total > limits.message_bytes:
            raise ProtocolViolation("message too large")
        parts.append(await _timed(channel.read_exactly(length - HEADER_SIZE), limits.read_seconds))
        if status & END_OF_MESSAGE:
            return Message(kind, b"".join(parts))


async def _timed(read: Coroutine[object, object, bytes], seconds: float) -> bytes:
    try:
        return await asyncio.wait_for(read, seconds)
    except TimeoutError as error:
        raise ProtocolViolation("read timed out") from error


def packets(kind: int, data: bytes, packet_size: int) -> bytes:
    """A message split into packets of at most `packet_size` bytes, the last marked END_OF_MESSAGE."""
    room = packet_size - HEADER_SIZE
    chunks = [data[start : start + room] for start in range(0, len(data), room)] or [b""]
    out = bytearray()
    for number, chunk in enumerate(chunks):
        status = END_OF_MESSAGE if number == len(chunks) - 1 else 0
        out += bytes([kind, status]) + (len(chunk) + HEADER_SIZE).to_bytes(2, "big")
        out += b"\x00\x00" + bytes([(number + 1) % 256, 0]) + chunk
    return bytes(out)
