"""The server's token stream ([MS-TDS] 2.2.7): LOGINACK, ENVCHANGE, FEATUREEXTACK, COLMETADATA, ROW,
DONE, ERROR. Result columns are typed from their values: int -> INTN(8), bool -> BITN, bytes ->
VARBINARY(8000), everything else NVARCHAR(4000)."""

from __future__ import annotations

from typing import Any

TDS_74 = 0x74000004
COLLATION = bytes([0x09, 0x04, 0xD0, 0x00, 0x34])  # SQL_Latin1_General_CP1_CI_AS
DONE_FINAL = 0x00
DONE_ERROR = 0x02
DONE_COUNT = 0x10
CMD_SELECT = 0xC1
INTN, BITN, BIGVARBINARY, NVARCHAR = 0x26, 0x68, 0xA5, 0xE7
NULL_SHORT = b"\xff\xff"
SERVER_NAME = "provision-local"


def _b_varchar(text: str) -> bytes:
    raw = text.encode("utf-16-le")
    return bytes([len(raw) // 2]) + raw


def _us_varchar(text: str) -> bytes:
    raw = text.encode("utf-16-le")
    return (len(raw) // 2).to_bytes(2, "little") + raw


def _sized(token: int, body: bytes) -> bytes:
    return bytes([token]) + len(body).to_bytes(2, "little") + body


def loginack() -> bytes:
    body = b"\x01" + TDS_74.to_bytes(4, "big") + _b_varchar("Microsoft SQL Server") + bytes([12, 0, 0x07, 0xD0])
    return _sized(0xAD, body)


def env_database(name: str) -> bytes:
    return _sized(0xE3, b"\x01" + _b_varchar(name) + _b_varchar("master"))


def env_collation() -> bytes:
    return _sized(0xE3, b"\x07" + bytes([len(COLLATION)]) + COLLATION + b"\x00")


def env_packet_size(size: int) -> bytes:
    return _sized(0xE3, b"\x04" + _b_varchar(str(size)) + _b_varchar(str(size)))


def fedauth_ack() -> bytes:
    return b"\xae" + b"\x02" + (0).to_bytes(4, "little") + b"\xff"


def done(status: int = DONE_FINAL, rows: int = 0, command: int = 0) -> bytes:
    return b"\xfd" + status.to_bytes(2, "little") + command.to_bytes(2, "little") + rows.to_bytes(8, "little")


def error(number: int, message: str, *, state: int = 1, level: int = 16) -> bytes:
    body = number.to_bytes(4, "little") + bytes([state, level]) + _us_varchar(message)
    body += _b_varchar(SERVER_NAME) + _b_varchar("") + (1).to_bytes(4, "little")
    return _sized(0xAA, body)


def _kind(values: list[Any]) -> int:
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, bool) for value in present):
        return BITN
    if present and all(isinstance(value, int) and not isinstance(value, bool) for value in present):
        return INTN
    if present and all(isinstance(value, bytes) for value in present):
        return BIGVARBINARY
    return NVARCHAR


def _type_info(kind: int) -> bytes:
    if kind == INTN:
        return bytes([INTN, 8])
    if kind == BITN:
        return bytes([BITN, 1])
    if kind == BIGVARBINARY:
        return bytes([BIGVARBINARY]) + (8000).to_bytes(2, "little")
    return bytes([NVARCHAR]) + (8000).to_bytes(2, "little") + COLLATION


def _value(kind: int, value: Any) -> bytes:
    if kind in (INTN, BITN):
        if value is None:
            return b"\x00"
        size = 8 if kind == INTN else 1
        return bytes([size]) + int(value).to_bytes(size, "little", signed=True)
    if value is None:
        return NULL_SHORT
    raw = value if kind == BIGVARBINARY else str(value).encode("utf-16-le")
    return len(raw).to_bytes(2, "little") + raw


def result_set(columns: list[str], rows: list[list[Any]]) -> bytes:
    kinds = [_kind([row[index] for row in rows]) for index in range(len(columns))]
    out = bytearray(b"\x81" + len(columns).to_bytes(2, "little"))
    for name, kind in zip(columns, kinds, strict=True):
        out += (0).to_bytes(4, "little") + (0x0001).to_bytes(2, "little") + _type_info(kind) + _b_varchar(name)
    for row in rows:
        out += b"\xd1" + b"".join(_value(kind, value) for kind, value in zip(kinds, row, strict=True))
    return bytes(out) + done(DONE_COUNT, len(rows), CMD_SELECT)
