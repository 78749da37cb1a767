"""LOGIN7 ([MS-TDS] 2.2.6.4): a 36-byte fixed part, then (offset, length-in-characters) pairs for the
variable UCS-2 fields. With fExtension (OptionFlags3 0x10) the Extension pair points to a DWORD offset
of the FeatureExt block: (FeatureId, DWORD length, data)... 0xFF. FEDAUTH (0x02) with the
SECURITYTOKEN library (0x01) carries the Entra access token as DWORD length + UTF-16LE text."""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.emulator.sql.tds.packets import ProtocolViolation

FIXED_SIZE = 94
F_EXTENSION = 0x10
FEATURE_FEDAUTH = 0x02
FEATURE_TERMINATOR = 0xFF
LIBRARY_SECURITYTOKEN = 0x01
FIELDS = ("host_name", "user_name", "password", "app_name", "server_name", "extension", "library", "language")
DATABASE_AT = 68


@dataclass(frozen=True)
class Login:
    tds_version: int
    packet_size: int
    server_name: str
    database: str
    user_name: str
    token: str | None
    fedauth_echo: bool


def parse(data: bytes) -> Login:
    if len(data) < FIXED_SIZE or int.from_bytes(data[0:4], "little") != len(data):
        raise ProtocolViolation("LOGIN7 length")
    option_flags3 = data[27]
    token: str | None = None
    echo = False
    if option_flags3 & F_EXTENSION:
        token, echo = _fedauth(data, _extension_offset(data))
    return Login(
        tds_version=int.from_bytes(data[4:8], "little"),
        packet_size=int.from_bytes(data[8:12], "little"),
        server_name=_text(data, 36 + 4 * FIELDS.index("server_name")),
        database=_text(data, DATABASE_AT),
        user_name=_text(data, 36 + 4 * FIELDS.index("user_name")),
        token=token,
        fedauth_echo=echo,
    )


def _pair(data: bytes, at: int) -> tuple[int, int]:
    return int.from_bytes(data[at : at + 2], "little"), int.from_bytes(data[at + 2 : at + 4], "little")


def _text(data: bytes, at: int) -> str:
    offset, characters = _pair(data, at)
    end = offset + 2 * characters
    if end > len(data):
        raise ProtocolViolation("LOGIN7 field outside the message")
    try:
        return data[offset:end].decode("utf-16-le")
    except UnicodeDecodeError as error:
        raise ProtocolViolation("LOGIN7 field is not UCS-2") from error


def _extension_offset(data: bytes) -> int:
    offset, length = _pair(data, 36 + 4 * FIELDS.index("extension"))
    if length < 4 or offset + 4 > len(data):
        raise ProtocolViolation("LOGIN7 extension")
    return int.from_bytes(data[offset : offset + 4], "little")


def _fedauth(data: bytes, position: int) -> tuple[str | None, bool]:
    while position < len(data):
        feature = data[position]
        if feature == FEATURE_TERMINATOR:
            return None, False
        if position + 5 > len(data):
            raise ProtocolViolation("truncated FeatureExt")
        length = int.from_bytes(data[position + 1 : position + 5], "little")
        body = data[position + 5 : position + 5 + length]
        if len(body) != length:
            raise ProtocolViolation("FeatureExt outside the message")
        if feature == FEATURE_FEDAUTH:
            return _security_token(body)
        position += 5 + length
    raise ProtocolViolation("FeatureExt without terminator")


def _security_token(body: bytes) -> tuple[str | None, bool]:
    if not body or body[0] >> 1 != LIBRARY_SECURITYTOKEN or len(body) < 5:
        return None, False
    size = int.from_bytes(body[1:5], "little")
    raw = body[5 : 5 + size]
    if len(raw) != size:
        raise ProtocolViolation("FEDAUTH token length")
    try:
        return raw.decode("utf-16-le"), bool(body[0] & 0x01)
    except UnicodeDecodeError as error:
        raise ProtocolViolation("FEDAUTH token is not UTF-16") from error
