"""What the TDS listener takes from a login's ServerName, and the TLS it offers inside PRELOGIN."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from provisioner.emulator.core.listener_tls import listener_context
from provisioner.emulator.sql.sessions import server_host
from provisioner.emulator.sql.tds.server import server_context
from provisioner.emulator.tls import ensure_tls


@pytest.mark.parametrize(
    ("given", "host"),
    [
        ("srv", "srv"),
        ("Srv.database.windows.net", "srv.database.windows.net"),
        ("tcp:srv.database.windows.net,1433", "srv.database.windows.net"),  # Microsoft's ODBC driver
        ("np:srv\\SQLEXPRESS", "srv"),
        (" srv.database.windows.net ,1433", "srv.database.windows.net"),
    ],
)
def test_the_host_of_a_server_name(given: str, host: str) -> None:
    assert server_host(given) == host


def test_tds_7_tls_stops_at_1_2(tmp_path: Path) -> None:
    tls = ensure_tls(tmp_path)
    context = server_context(tls.server_cert, tls.server_key)
    assert (context.minimum_version, context.maximum_version) == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)


def test_only_tds_stops_at_1_2(tmp_path: Path) -> None:
    """The MySQL listener shares the context TDS starts from, without TDS 7's cap."""
    tls = ensure_tls(tmp_path)
    context = listener_context(tls.server_cert, tls.server_key)
    assert (context.minimum_version, context.maximum_version) == (
        ssl.TLSVersion.TLSv1_2,
        ssl.TLSVersion.MAXIMUM_SUPPORTED,
    )
