"""PRELOGIN ([MS-TDS] 2.2.6.5): option tokens (type, big-endian offset and length) ended by 0xFF, then
their data. The server answers VERSION, ENCRYPTION = ENCRYPT_REQ unless the client asked ENCRYPT_ON
(Azure SQL refuses to talk in clear), INSTOPT, THREADID, MARS off and FEDAUTHREQUIRED."""

from __future__ import annotations

from provisioner.emulator.sql.tds.packets import ProtocolViolation

VERSION = 0x00
ENCRYPTION = 0x01
INSTOPT = 0x02
THREADID = 0x03
MARS = 0x04
FEDAUTHREQUIRED = 0x06
TERMINATOR = 0xFF
ENCRYPT_ON = 0x01
ENCRYPT_NOT_SUP = 0x02
ENCRYPT_REQ = 0x03
SERVER_VERSION = bytes([12, 0, 0x07, 0xD0, 0, 0])  # 12.0.2000, what Azure SQL reports


def parse(data: bytes) -> dict[int, bytes]:
    options: dict[int, bytes] = {}
    position = 0
    while True:
        if position >= len(data):
            raise ProtocolViolation("PRELOGIN without terminator")
        token = data[position]
        if token == TERMINATOR:
            return options
        if position + 5 > len(data):
            raise ProtocolViolation("truncated PRELOGIN option")
        offset = int.from_bytes(data[position + 1 : position + 3], "big")
        length = int.from_bytes(data[position + 3 : position + 5], "big")
        if offset + length > len(data):
            raise ProtocolViolation("PRELOGIN option outside the message")
        options[token] = data[offset : offset + length]
        position += 5


def client_refuses_encryption(options: dict[int, bytes]) -> bool:
    value = options.get(ENCRYPTION, b"\x00")
    return not value or value[0] == ENCRYPT_NOT_SUP


def answer(options: dict[int, bytes]) -> bytes:
    asked = options.get(ENCRYPTION, b"\x00")
    encryption = ENCRYPT_ON if asked and asked[0] in (ENCRYPT_ON, ENCRYPT_REQ) else ENCRYPT_REQ
    items = [
        (VERSION, SERVER_VERSION),
        (ENCRYPTION, bytes([encryption])),
        (INSTOPT, b"\x00"),
        (THREADID, b""),
        (MARS, b"\x00"),
        (FEDAUTHREQUIRED, b"\x01"),
    ]
    offset = len(items) * 5 + 1
    head, body = bytearray(), bytearray()
    for token, value in items:
        head += bytes([token]) + (offset + len(body)).to_bytes(2, "big") + len(value).to_bytes(2, "big")
        body += value
    return bytes(head) + bytes([TERMINATOR]) + bytes(body)
