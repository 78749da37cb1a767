"""A bounds check of a client's HandshakeResponse41 / SSLRequest before mysql-mimic parses it: its
parser reads NUL-terminated strings without an end (a packet without the NUL would spin the event loop
forever), so a packet that does not hold together is MySQL's 1043 "Bad handshake" here."""

from __future__ import annotations

import struct

CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_SSL = 0x800
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_CONNECT_ATTRS = 0x100000
CLIENT_LENENC_DATA = 0x200000
FIXED_PART = 32


class BadHandshake(ValueError):
    pass


def check(data: bytes, server_capabilities: int) -> None:
    """Raise BadHandshake unless every field the parser will read lies inside `data`."""
    if len(data) < FIXED_PART:
        raise BadHandshake("short packet")
    capabilities = struct.unpack_from("<I", data)[0] & server_capabilities
    if len(data) == FIXED_PART:
        return  # an SSLRequest
    position = _past_nul(data, FIXED_PART)  # user name
    if capabilities & CLIENT_LENENC_DATA:
        length, position = _lenenc(data, position)
    else:
        length, position = _byte(data, position), position + 1
    position += length
    if position > len(data):
        raise BadHandshake("auth response past the end")
    if capabilities & CLIENT_CONNECT_WITH_DB:
        position = _past_nul(data, position)
    if capabilities & CLIENT_PLUGIN_AUTH:
        position = _past_nul(data, position)


def _past_nul(data: bytes, position: int) -> int:
    end = data.find(b"\0", position)
    if end < 0:
        raise BadHandshake("string without its NUL")
    return end + 1


def _byte(data: bytes, position: int) -> int:
    if position >= len(data):
        raise BadHandshake("past the end")
    return data[position]


def _lenenc(data: bytes, position: int) -> tuple[int, int]:
    first = _byte(data, position)
    sizes = {0xFC: 2, 0xFD: 3, 0xFE: 8}
    if first not in sizes:
        return first, position + 1
    size = sizes[first]
    if position + 1 + size > len(data):
        raise BadHandshake("length past the end")
    return int.from_bytes(data[position + 1 : position + 1 + size], "little"), position + 1 + size
