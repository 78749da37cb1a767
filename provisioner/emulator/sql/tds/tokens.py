"""The server's token stream ([MS-TDS] 2.2.7): LOGINACK, ENVCHANGE, FEATUREEXTACK, COLMETADATA, ROW,
DONE, ERROR. A result column has the SQL type its source declares (`int`, `bigint`, `bit`, `char(n)`,
`nvarchar(n)`, `varbinary(n)`, `datetime`, as sys.database_principals declares its columns); without
one it is typed from its values: int -> bigint, bool -> bit, bytes -> varbinary(8000), else nvarchar(4000)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

TDS_74 = 0x74000004
COLLATION = bytes([0x09, 0x04, 0xD0, 0x00, 0x34])  # SQL_Latin1_General_CP1_CI_AS
DONE_FINAL = 0x00
DONE_ERROR = 0x02
DONE_COUNT = 0x10
CMD_SELECT = 0xC1
INTN, BITN, BIGVARBINARY, NVARCHAR, BIGCHAR, DATETIMN = 0x26, 0x68, 0xA5, 0xE7, 0xAF, 0x6F
NULL_SHORT = b"\xff\xff"
SIZED = re.compile(r"(char|nvarchar|varbinary)\((\d+)\)")
DATETIME_EPOCH = datetime(1900, 1, 1)
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


def _from_values(values: list[Any]) -> str:
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, bool) for value in present):
        return "bit"
    if present and all(isinstance(value, int) and not isinstance(value, bool) for value in present):
        return "bigint"
    if present and all(isinstance(value, bytes) for value in present):
        return "varbinary(8000)"
    return "nvarchar(4000)"


def _type_info(sql_type: str) -> bytes:
    fixed = {"int": bytes([INTN, 4]), "bigint": bytes([INTN, 8]), "bit": bytes([BITN, 1])}
    if sql_type in fixed:
        return fixed[sql_type]
    if sql_type == "datetime":
        return bytes([DATETIMN, 8])
    sized = SIZED.fullmatch(sql_type)
    if sized is None:
        raise ValueError(f"no TDS type for {sql_type!r}")
    kind, length = sized.group(1), int(sized.group(2))
    if kind == "varbinary":
        return bytes([BIGVARBINARY]) + length.to_bytes(2, "little")
    if kind == "char":
        return bytes([BIGCHAR]) + length.to_bytes(2, "little") + COLLATION
    return bytes([NVARCHAR]) + (2 * length).to_bytes(2, "little") + COLLATION


def _value(sql_type: str, value: Any) -> bytes:
    sizes = {"int": 4, "bigint": 8, "bit": 1}
    if sql_type in sizes:
        if value is None:
            return b"\x00"
        return bytes([sizes[sql_type]]) + int(value).to_bytes(sizes[sql_type], "little", signed=True)
    if sql_type == "datetime":
        return b"\x00" if value is None else b"\x08" + _datetime(str(value))
    if value is None:
        return NULL_SHORT
    if sql_type.startswith("varbinary"):
        raw = bytes(value)
    elif sql_type.startswith("char"):
        raw = str(value).encode("cp1252", errors="replace")
    else:
        raw = str(value).encode("utf-16-le")
    return len(raw).to_bytes(2, "little") + raw


def _datetime(text: str) -> bytes:
    """DATETIME: days since 1900-01-01, then 1/300 s since midnight."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    since = moment - DATETIME_EPOCH
    ticks = round((since.seconds + since.microseconds / 1_000_000) * 300)
    return since.days.to_bytes(4, "little", signed=True) + ticks.to_bytes(4, "little")


def result_set(columns: list[str], rows: list[list[Any]], types: list[str | None] | None = None) -> bytes:
    declared = types or [None] * len(columns)
    kinds = [kind or _from_values([row[index] for row in rows]) for index, kind in enumerate(declared)]
    out = bytearray(b"\x81" + len(columns).to_bytes(2, "little"))
    for name, kind in zip(columns, kinds, strict=True):
        out += (0).to_bytes(4, "little") + (0x0001).to_bytes(2, "little") + _type_info(kind) + _b_varchar(name)
    for row in rows:
        out += b"\xd1" + b"".join(_value(kind, value) for kind, value in zip(kinds, row, strict=True))
    return bytes(out) + done(DONE_COUNT, len(rows), CMD_SELECT)
