"""The PostgreSQL frontend/backend protocol (v3) up to authentication, with PostgreSQL's own limits:
a startup packet is 8 to 10,000 bytes, a password message at most 64 KiB (a token is a few KiB)."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
PROTOCOL_3 = 3
MAX_STARTUP_PACKET = 10_000
MAX_PASSWORD_MESSAGE = 65_536
AUTH_CLEARTEXT = 3


class ProtocolError(Exception):
    """A client broke the protocol: answered with `08P01` in PostgreSQL's words, then closed."""

    def __init__(self, message: str, code: str = "08P01") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Startup:
    code: int
    parameters: dict[str, str]

    @property
    def is_startup(self) -> bool:
        return self.code >> 16 == PROTOCOL_3


async def read_startup(reader: asyncio.StreamReader, timeout: float) -> Startup:
    """An untyped startup-phase packet: SSLRequest, GSSENCRequest, CancelRequest or StartupMessage."""
    head = await _exactly(reader, 4, timeout)
    (length,) = struct.unpack("!i", head)
    if length < 8 or length > MAX_STARTUP_PACKET:
        raise ProtocolError("invalid length of startup packet")
    body = await _exactly(reader, length - 4, timeout)
    (code,) = struct.unpack("!i", body[:4])
    if code >> 16 != PROTOCOL_3:
        return Startup(code, {})
    return Startup(code, _parameters(body[4:]))


def _parameters(data: bytes) -> dict[str, str]:
    parts = data.split(b"\0")
    if len(parts) < 2 or parts[-1] != b"" or parts[-2] != b"":
        raise ProtocolError("invalid startup packet layout: expected terminator as last byte")
    items = parts[:-2]
    if len(items) % 2:
        raise ProtocolError("invalid startup packet layout: expected terminator as last byte")
    try:
        texts = [item.decode("utf-8") for item in items]
    except UnicodeDecodeError as error:
        raise ProtocolError("invalid byte sequence in startup packet", "22021") from error
    return dict(zip(texts[0::2], texts[1::2], strict=True))


async def read_password(reader: asyncio.StreamReader, timeout: float) -> str:
    """The PasswordMessage answering AuthenticationCleartextPassword."""
    kind = await _exactly(reader, 1, timeout)
    (length,) = struct.unpack("!i", await _exactly(reader, 4, timeout))
    if kind != b"p":
        raise ProtocolError(f"expected password response, got message type {kind[0]}")
    if length < 5 or length > MAX_PASSWORD_MESSAGE:
        raise ProtocolError("invalid message length")
    body = await _exactly(reader, length - 4, timeout)
    if not body.endswith(b"\0") or b"\0" in body[:-1]:
        raise ProtocolError("invalid password packet size")
    try:
        return body[:-1].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError("invalid byte sequence in password packet", "22021") from error


async def _exactly(reader: asyncio.StreamReader, count: int, timeout: float) -> bytes:
    try:
        return await asyncio.wait_for(reader.readexactly(count), timeout)
    except asyncio.IncompleteReadError as error:
        raise ProtocolError("incomplete startup packet") from error
    except TimeoutError as error:
        raise ProtocolError("canceling authentication due to timeout", "08006") from error


def startup_message(parameters: dict[str, str]) -> bytes:
    body = struct.pack("!i", PROTOCOL_3 << 16)
    for key, value in parameters.items():
        body += key.encode() + b"\0" + value.encode() + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def auth_request(method: int) -> bytes:
    return b"R" + struct.pack("!ii", 8, method)


def error_response(code: str, message: str, severity: str = "FATAL") -> bytes:
    fields = b""
    for tag, value in ((b"S", severity), (b"V", severity), (b"C", code), (b"M", message)):
        fields += tag + value.encode("utf-8", "replace") + b"\0"
    fields += b"\0"
    return b"E" + struct.pack("!i", len(fields) + 4) + fields
