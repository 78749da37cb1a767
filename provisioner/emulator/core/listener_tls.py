"""The TLS server context of the local cloud's database listeners."""

from __future__ import annotations

import ssl
from pathlib import Path


def listener_context(cert: Path, key: Path) -> ssl.SSLContext:
    """TLS 1.2 or later with the local cloud's certificate, for a database listener that runs TLS over
    memory buffers (no session tickets: nothing may follow the handshake unasked)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    context.num_tickets = 0
    return context
