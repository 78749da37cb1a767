"""Hostile input to the local cloud's PostgreSQL listener: each is refused with PostgreSQL's own
ErrorResponse (or the connection is closed, as PostgreSQL does), and the listener keeps serving."""

from __future__ import annotations

import socket
import ssl
import struct
from typing import Any

import psycopg
import pytest

from provisioner.azure.postgres_sql import connect
from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients
from tests.emulator.test_postgres import GROUP, OPERATOR, OSSRDBMS, SERVER, address, admin_body, postgres, server_body

HOST = f"{SERVER}.postgres.database.azure.com"


@pytest.fixture(scope="module")
def world(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(GROUP, {"location": "westus"})
    client = postgres(local_cloud, operator_credential)
    client.servers.begin_create_or_update(GROUP, SERVER, server_body()).result()
    operator = local_cloud.cloud.identity.operator_object_id
    client.administrators_microsoft_entra.begin_create_or_update(GROUP, SERVER, operator, admin_body(OPERATOR)).result()
    return {"operator": operator_credential.get_token(f"{OSSRDBMS}/.default").token}


def still_serving(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    with connect(address(local_cloud), "postgres", OPERATOR, world["operator"]) as admin:
        assert admin.execute("SELECT current_user").fetchone() == (OPERATOR,)


def raw(local_cloud: LocalCloudServer) -> socket.socket:
    listener = local_cloud.cloud.postgres_address
    assert listener is not None
    return socket.create_connection(listener, timeout=10)


def over_tls(local_cloud: LocalCloudServer) -> ssl.SSLSocket:
    plain = raw(local_cloud)
    plain.sendall(struct.pack("!ii", 8, 80877103))
    assert plain.recv(1) == b"S"
    context = ssl.create_default_context(cafile=str(local_cloud.ca_cert))
    return context.wrap_socket(plain, server_hostname=HOST)


def startup(user: str, database: str = "postgres") -> bytes:
    body = struct.pack("!i", 3 << 16) + b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
    return struct.pack("!i", len(body) + 4) + body


def error_fields(connection: socket.socket) -> dict[str, str]:
    """The fields of the ErrorResponse the listener answers with (then it closes)."""
    data = b""
    try:
        while chunk := connection.recv(65536):
            data += chunk
    except ssl.SSLEOFError:  # closed without close_notify: it did not read all the client sent
        pass
    assert data[:1] == b"E", data[:20]
    fields = data[5:].split(b"\0")
    return {field[:1].decode(): field[1:].decode() for field in fields if field}


def test_a_truncated_startup_packet_is_refused(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    with raw(local_cloud) as connection:
        connection.sendall(struct.pack("!i", 64) + b"\0\3\0\0user\0")
        connection.shutdown(socket.SHUT_WR)
        assert error_fields(connection) == {"S": "FATAL", "V": "FATAL", "C": "08P01", "M": "incomplete startup packet"}
    still_serving(local_cloud, world)


def test_a_one_megabyte_user_name_is_refused_by_length(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    # The length prefix says 1 MB: PostgreSQL refuses on it (a client still sending the rest gets a reset).
    with over_tls(local_cloud) as connection:
        connection.sendall(startup("u" * 1_000_000)[:65536])
        assert error_fields(connection)["M"] == "invalid length of startup packet"
    with raw(local_cloud) as connection:  # before TLS too
        connection.sendall(startup("u" * 1_000_000)[:65536])
        assert error_fields(connection)["C"] == "08P01"
    still_serving(local_cloud, world)


def test_a_startup_without_tls_is_refused_as_pg_hba_does(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    with raw(local_cloud) as connection:
        connection.sendall(startup(OPERATOR))
        refused = error_fields(connection)
    assert refused["C"] == "28000"
    assert (
        refused["M"]
        == f'no pg_hba.conf entry for host "127.0.0.1", user "{OPERATOR}", database "postgres", no encryption'
    )


@pytest.mark.parametrize("kind", ["expired", "forged", "other audience", "not a token"])
def test_a_bad_token_is_refused_with_28p01(local_cloud: LocalCloudServer, world: dict[str, Any], kind: str) -> None:
    tokens, operator = local_cloud.cloud.tokens, local_cloud.cloud.identity.operator_object_id
    good = world["operator"]
    bad = {
        "expired": tokens.issue(audience=OSSRDBMS, object_id=operator, app_id="x", lifetime_seconds=-3600).token,
        "forged": good.rsplit(".", 1)[0] + ".c2lnbmF0dXJl",
        "other audience": tokens.issue(audience="https://database.windows.net/", object_id=operator, app_id="x").token,
        "not a token": "a.b.c",
    }[kind]
    with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{OPERATOR}"'):
        connect(address(local_cloud), "postgres", OPERATOR, bad)
    still_serving(local_cloud, world)


def test_sql_injection_in_a_role_name_is_only_a_name(local_cloud: LocalCloudServer, world: dict[str, Any]) -> None:
    hostile = 'x"; DROP ROLE "provision-operator"; --'
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(address(local_cloud), "postgres", hostile, world["operator"])
    with connect(address(local_cloud), "postgres", OPERATOR, world["operator"]) as admin:
        oid = "00000000-0000-0000-0000-000000000001"
        admin.execute("SELECT pgaadauth_create_principal_with_oid(%s, %s, 'service', false, false)", (hostile, oid))
        names = {row[0] for row in admin.execute("SELECT rolname FROM pg_roles").fetchall()}
        assert {hostile, OPERATOR} <= names
        admin.execute(psycopg.sql.SQL("DROP ROLE {}").format(psycopg.sql.Identifier(hostile)))
    still_serving(local_cloud, world)


def test_the_listener_says_where_it_is(local_cloud: LocalCloudServer) -> None:
    listener = local_cloud.cloud.postgres_address
    assert listener is not None
    import httpx

    from tests.control import control_headers

    answer = httpx.get(
        f"{local_cloud.url}/_cloud/postgres", headers=control_headers(local_cloud), verify=str(local_cloud.ca_cert)
    )
    assert answer.json() == {"host": listener[0], "port": listener[1]}
    status = httpx.get(
        f"{local_cloud.url}/_cloud/status", headers=control_headers(local_cloud), verify=str(local_cloud.ca_cert)
    )
    assert status.json()["postgres"] == f"{listener[0]}:{listener[1]}"
