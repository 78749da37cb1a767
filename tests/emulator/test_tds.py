"""The local cloud's TDS endpoint, through the real python-tds client: PRELOGIN, TLS inside PRELOGIN
packets, LOGIN7 with a FEDAUTH token, batches answered with rows or SQL Server's errors; and hostile
input closes the connection without hurting the listener."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytds
import pytest

from provisioner.azure.sql_tds import TdsAddress, connect
from provisioner.cli.cloud_control import status_lines
from provisioner.emulator.server import LocalCloudServer
from provisioner.emulator.sql.tds.packets import LOGIN7, PRELOGIN, SQL_BATCH, Limits, packets
from provisioner.emulator.sql.tds.server import TdsServer, server_context
from provisioner.emulator.tls import ensure_tls
from tests.control import control_headers
from tests.emulator import clients
from tests.emulator.helpers_sql import LOCATION, SQL_RESOURCE, SQL_SCOPE, database, entra_admin, sql_server
from tests.emulator.helpers_web import app_token, https, plan, site
from tests.emulator.tds_wire import TlsWire, login7_without_token

GROUP = "tds-rg"
SERVER = "tds-srv"
MAY_READ = "HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'SELECT')"
SHORT = Limits(idle_seconds=0.5, read_seconds=0.5)
PRINCIPAL = "SELECT name, type FROM sys.database_principals WHERE name = '{}'"


@pytest.fixture(scope="module")
def world(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(GROUP, {"location": LOCATION})
    app_plan = plan(local_cloud, operator_credential, GROUP, "tds-plan")
    app = site(local_cloud, operator_credential, GROUP, "tds-app", app_plan.id, {"type": "SystemAssigned"})
    identity = local_cloud.cloud.identity
    admin = entra_admin("ops", identity.operator_object_id)
    sql_server(local_cloud, operator_credential, GROUP, SERVER, admin, azure_services=True)
    database(local_cloud, operator_credential, GROUP, SERVER, "appdb")
    return {"app": app, "operator": operator_credential.get_token(SQL_SCOPE).token}


def _connect(
    local_cloud: LocalCloudServer, token: str, *, server: str = SERVER, db: str = "appdb", wait: float = 10
) -> Any:
    address = local_cloud.cloud.tds_address
    assert address is not None
    where = TdsAddress(address[0], address[1], str(local_cloud.ca_cert))
    return connect(where, f"{server}.database.windows.net", db, token, wait)


def _rows(connection: Any, statement: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def test_the_admin_creates_a_user_and_the_identity_logs_in(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    with _connect(local_cloud, world["operator"]) as admin:
        assert admin.cursor().connection is admin
        with admin.cursor() as cursor:
            cursor.execute("CREATE USER [tds-app] FROM EXTERNAL PROVIDER")
            cursor.execute("ALTER ROLE db_datareader ADD MEMBER [tds-app]")
        names = _rows(admin, PRINCIPAL.format("tds-app"))
        assert names == [("tds-app", "E")]
    token = app_token(local_cloud, world["app"].id, SQL_RESOURCE)
    with _connect(local_cloud, token) as user:
        assert _rows(user, PRINCIPAL.format("dbo")) == [("dbo", "S")]
        assert _rows(user, f"SELECT DB_NAME(), USER_NAME() AS who, {MAY_READ}, 1;") == [("appdb", "tds-app", 1, 1)]
    with _connect(local_cloud, world["operator"]) as admin:
        with admin.cursor() as cursor:
            cursor.execute("ALTER ROLE db_datareader DROP MEMBER [tds-app]")
        assert _rows(admin, f"SELECT USER_NAME(), {MAY_READ}") == [("dbo", 1)]
    with _connect(local_cloud, token) as user:
        assert _rows(user, f"SELECT {MAY_READ}") == [(0,)]
        with pytest.raises(pytds.Error) as refused, user.cursor() as cursor:
            cursor.execute("SELECT SYSTEM_USER")
        assert refused.value.msg_no == 102  # type: ignore[attr-defined]


def test_sql_errors_carry_sql_servers_number_and_keep_the_connection(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    with _connect(local_cloud, world["operator"]) as admin:
        with pytest.raises(pytds.Error) as refused, admin.cursor() as cursor:
            cursor.execute("DROP USER [nobody]")
        assert refused.value.msg_no == 15151  # type: ignore[attr-defined]
        assert _rows(admin, PRINCIPAL.format("dbo")) == [("dbo", "S")]


def test_logins_are_refused_as_azure_sql_refuses_them(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    for token, server, db, number, words in (
        ("not-a-token", SERVER, "appdb", 18456, "Login failed for user '<token-identified principal>'."),
        (world["operator"], "no-such-srv", "appdb", 40532, 'Cannot open server "no-such-srv"'),
        (world["operator"], SERVER, "nodb", 18456, 'Cannot open database "nodb" requested by the login.'),
    ):
        with pytest.raises((pytds.Error, TimeoutError)) as refused:
            _connect(local_cloud, token, server=server, db=db, wait=1)
        # pytds retries what it thinks transient (40532) until the login timeout, then wraps it
        error = refused.value.__cause__ if isinstance(refused.value, TimeoutError) else refused.value
        assert getattr(error, "msg_no", None) == number, error
        assert words in str(error)


def _raw(local_cloud: LocalCloudServer, data: bytes) -> bytes:
    """Send bytes, then read until the server closes the connection (it must, quickly)."""
    address = local_cloud.cloud.tds_address
    assert address is not None
    received = bytearray()
    with socket.create_connection(address, timeout=10) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass  # the server closed on us while we were still sending
    return bytes(received)


@pytest.mark.parametrize(
    "data",
    [
        b"\x12\x01\x00",  # truncated header
        bytes([PRELOGIN, 1]) + (4).to_bytes(2, "big") + b"\x00" * 4,  # length below the header
        bytes([PRELOGIN, 1]) + (60000).to_bytes(2, "big") + b"\x00" * 4 + b"x" * 10,  # length past the data
        packets(PRELOGIN, b"\x01\x00\x99\x00\x01\xff", 4096),  # option outside the message
        packets(LOGIN7, b"\x00" * 94, 4096),  # LOGIN7 before PRELOGIN
        packets(SQL_BATCH, b"x" * (10 * 1024 * 1024), 4096),  # a 10 MB batch
        packets(PRELOGIN, b"\x01\x00\x06\x00\x01\xff\x00", 4096) + b"garbage instead of a TLS handshake",
    ],
)
def test_hostile_input_closes_the_connection(local_cloud: LocalCloudServer, world: dict[str, Any], data: bytes) -> None:
    received = _raw(local_cloud, data)
    assert b"Login failed" not in received
    with _connect(local_cloud, world["operator"]) as admin:  # the listener still serves
        assert _rows(admin, PRINCIPAL.format("dbo")) == [("dbo", "S")]


def _wire(local_cloud: LocalCloudServer) -> TlsWire:
    address = local_cloud.cloud.tds_address
    assert address is not None
    return TlsWire(address, local_cloud.ca_cert, f"{SERVER}.database.windows.net")


def test_login7_without_a_token_is_refused_with_18456_then_closed(
    local_cloud: LocalCloudServer, world: dict[str, Any]
) -> None:
    wire = _wire(local_cloud)
    try:
        wire.send(LOGIN7, login7_without_token(f"{SERVER}.database.windows.net", "appdb"))
        answer = wire.receive_until_closed()
    finally:
        wire.close()
    assert answer[8] == 0xAA  # ERROR
    assert int.from_bytes(answer[11:15], "little") == 18456
    assert "Login failed for user '<token-identified principal>'.".encode("utf-16-le") in answer


def test_garbage_after_tls_closes_the_connection(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    wire = _wire(local_cloud)
    try:
        wire.sock.sendall(b"\x17\x03\x03\x00\x10" + b"not a TLS record" * 4)
        assert wire.receive_until_closed() == b""
    finally:
        wire.close()


def test_the_control_api_and_status_name_the_tds_listener(local_cloud: LocalCloudServer) -> None:
    address = local_cloud.cloud.tds_address
    assert address is not None and address[0] == "127.0.0.1"
    with https(local_cloud) as http:
        found = http.get(f"{local_cloud.url}/_cloud/sql-tds", headers=control_headers(local_cloud)).json()
        status = http.get(f"{local_cloud.url}/_cloud/status", headers=control_headers(local_cloud)).json()
        refused = http.get(f"{local_cloud.url}/_cloud/sql-tds")
    assert (found["host"], found["port"]) == address
    assert status["sql_tds"] == f"127.0.0.1:{address[1]}"
    assert f"sql_tds: 127.0.0.1:{address[1]}" in status_lines(status)  # what `provision cloud status` prints
    assert refused.status_code == 401


@pytest.mark.parametrize("sent", [b"", b"\x12\x01\x00"])
def test_a_stalled_or_idle_connection_is_closed_after_its_timeout(local_cloud: LocalCloudServer, sent: bytes) -> None:
    """The listener's own class with short limits: idle before a message, and stalled inside one."""
    files = ensure_tls(local_cloud.data_dir)
    tds = TdsServer(local_cloud.cloud, server_context(files.server_cert, files.server_key), SHORT)

    async def scenario() -> tuple[bytes, float]:
        listener = await asyncio.start_server(tds.handle, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(sent)
        received = await asyncio.wait_for(reader.read(), 5)
        elapsed = time.monotonic() - started
        writer.close()
        listener.close()
        await listener.wait_closed()
        return received, elapsed

    received, elapsed = asyncio.run(scenario())
    assert received == b""
    assert elapsed < 3
