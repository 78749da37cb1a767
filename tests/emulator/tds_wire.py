"""A bare TDS client for the tests that must send what no real driver would: PRELOGIN, the TLS handshake
in PRELOGIN packets (Python's ssl over memory BIOs), then any bytes over TLS or raw."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from provisioner.emulator.sql.tds.packets import HEADER_SIZE, PRELOGIN, packets

PRELOGIN_ENCRYPT_ON = bytes([0x01, 0x00, 0x06, 0x00, 0x01, 0xFF, 0x01])


def read_message(sock: socket.socket) -> bytes:
    data = bytearray()
    while True:
        header = _exactly(sock, HEADER_SIZE)
        data += _exactly(sock, int.from_bytes(header[2:4], "big") - HEADER_SIZE)
        if header[1] & 0x01:
            return bytes(data)


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return bytes(data)


class TlsWire:
    """A connection past PRELOGIN and the TLS handshake, ready for LOGIN7 or garbage."""

    def __init__(self, address: tuple[str, int], ca_cert: Path, server_name: str) -> None:
        self.sock = socket.create_connection(address, timeout=10)
        self.sock.sendall(packets(PRELOGIN, PRELOGIN_ENCRYPT_ON, 4096))
        read_message(self.sock)
        context = ssl.create_default_context(cafile=str(ca_cert))
        self._in, self._out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self._in, self._out, server_hostname=server_name)
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.sock.sendall(packets(PRELOGIN, self._out.read(), 4096))
                self._in.write(read_message(self.sock))
        if self._out.pending:
            self.sock.sendall(packets(PRELOGIN, self._out.read(), 4096))

    def send(self, kind: int, data: bytes) -> None:
        self.tls.write(packets(kind, data, 4096))
        self.sock.sendall(self._out.read())

    def receive_until_closed(self) -> bytes:
        """Everything the server sends in clear text after TLS, until it closes the connection."""
        received = bytearray()
        while True:
            try:
                received += self.tls.read(65536)
                continue
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return bytes(received)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return bytes(received)
            if not chunk:
                return bytes(received)
            self._in.write(chunk)

    def close(self) -> None:
        self.sock.close()


def login7_without_token(server_name: str, database: str) -> bytes:
    """A LOGIN7 with no FEDAUTH extension, no user and no password (what a token-less client sends)."""
    fixed = bytearray(94)
    fixed[4:8] = (0x74000004).to_bytes(4, "little")
    fixed[8:12] = (4096).to_bytes(4, "little")
    variable = bytearray()
    for at, text in ((52, server_name), (68, database)):
        fixed[at : at + 2] = (94 + len(variable)).to_bytes(2, "little")
        fixed[at + 2 : at + 4] = len(text).to_bytes(2, "little")
        variable += text.encode("utf-16-le")
    data = fixed + variable
    data[0:4] = len(data).to_bytes(4, "little")
    return bytes(data)
