"""The local MySQL listener through PyMySQL: Entra sign-ins (mysql_clear_password, TLS, the server by its
TLS name), the statements the tool and the tutorial use, and hostile input answered with MySQL's errors."""

from __future__ import annotations

import socket
import ssl
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql
import pytest

from provisioner.azure.clients import Clients
from provisioner.azure.mysql_wire import MySqlConnector, connect, quote_string
from provisioner.azure.target import Target
from provisioner.emulator.core.tokens import TokenIssuer
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import CloudError
from tests.emulator.helpers_web import app_token
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import full_lifecycle

OSSRDBMS = "https://ossrdbms-aad.database.windows.net"
OPERATOR = "provision-operator"
PASSWORD = {"administrator_password": builders.VM_PASSWORD}


@dataclass(frozen=True)
class World:
    server: str
    uai_client_id: str
    site_id: str
    server_id: str


@pytest.fixture(scope="module")
def world(clients: Clients) -> World:
    """A server whose identity holds its Graph permissions, the operator its Entra admin, a database, and a
    web app with a user-assigned identity."""
    group = "rg-mysql-wire"
    builders.group(clients, group)
    uai = builders.make(clients, "user_assigned_identity", {"name": "server-uai", "resource_group": group})
    app_uai = builders.make(clients, "user_assigned_identity", {"name": "app-uai", "resource_group": group})
    for permission in ("User.Read.All", "GroupMember.Read.All", "Application.Read.All"):
        builders.make(
            clients, "graph_app_role_assignment", {"principal": uai.exports["principal_id"], "permission": permission}
        )
    values = {
        "name": "wiredb",
        "resource_group": group,
        "administrator_login": "mysqladmin",
        "identities": [uai.exports["id"]],
    }
    server = builders.make(clients, "mysql_flexible_server", values, secrets=PASSWORD)
    builders.make(clients, "mysql_database", {"name": "appdb", "server": server.exports["id"]})
    admin = {
        "server": server.exports["id"],
        "login": OPERATOR,
        "object_id": clients.principal_id,
        "identity": uai.exports["id"],
    }
    builders.make(clients, "mysql_entra_admin", admin)
    plan = builders.make(clients, "app_service_plan", {"name": "wire-plan", "resource_group": group})
    site = builders.make(
        clients,
        "web_app",
        {
            "name": "wire-app",
            "resource_group": group,
            "plan": plan.exports["id"],
            "identity": {"user_assigned": [app_uai.exports["id"]]},
        },
    )
    return World("wiredb", app_uai.exports["client_id"], site.exports["id"], server.exports["id"])


def _operator(target: Target, statement: str, database: str | None = "appdb") -> list[list[Any]]:
    return MySqlConnector(target).query("wiredb", database, OPERATOR, statement).rows


def _as_app(target: Target, local_cloud: LocalCloudServer, world: World, user: str = "wire-app") -> Any:
    token = app_token(local_cloud, world.site_id, OSSRDBMS, client_id=world.uai_client_id)
    login = MySqlConnector(target).login(world.server, user, token)
    return connect(login, "appdb")


def _error(call: Any) -> tuple[int, str]:
    with pytest.raises(pymysql.err.MySQLError) as refused:
        call()
    return refused.value.args[0], refused.value.args[1]


def test_the_admin_creates_a_user_that_reads_but_cannot_insert(
    target: Target, local_cloud: LocalCloudServer, world: World
) -> None:
    _operator(target, f"CREATE AADUSER 'wire-app' IDENTIFIED BY {quote_string(world.uai_client_id)}")
    _operator(target, "GRANT SELECT ON `appdb`.* TO 'wire-app'@'%'")
    assert ["wire-app", "%"] in _operator(target, "SELECT User, Host FROM mysql.user", None)
    grants = _operator(target, "SHOW GRANTS FOR 'wire-app'@'%'")
    assert ["GRANT SELECT ON `appdb`.* TO `wire-app`@`%`"] in grants
    with _as_app(target, local_cloud, world) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER()")
        assert cursor.fetchone() == ("wire-app@%",)
        cursor.execute("SELECT id, note FROM sample")
        assert cursor.fetchall() == ((1, "seeded row one"), (2, "seeded row two"))
        code, message = _error(lambda: cursor.execute("INSERT INTO sample (note) VALUES ('x')"))
        assert code == 1142
        assert message.startswith("INSERT command denied to user 'wire-app'@'127.0.0.1' for table 'sample'")
        assert _error(lambda: cursor.execute("DELETE FROM sample"))[0] == 1064
    _operator(target, "DROP USER 'wire-app'@'%'")
    assert _error(lambda: _as_app(target, local_cloud, world))[0] == 1045


def _operator_token(
    local_cloud: LocalCloudServer, tmp_path: Path, *, hours_ago: float = 0, own_key: bool = True
) -> str:
    """A token for the operator as the local cloud signs them (its key in the data dir), issued `hours_ago`;
    with `own_key=False` signed by another key (a forgery)."""
    identity = local_cloud.cloud.identity
    issuer = TokenIssuer(
        local_cloud.data_dir if own_key else tmp_path, identity.tenant_id, clock=lambda: time.time() - hours_ago * 3600
    )
    return issuer.issue(
        audience=OSSRDBMS, object_id=identity.operator_object_id, app_id=identity.operator_client_id
    ).token


def test_sign_ins_are_refused_as_mysql_refuses_them(
    target: Target, local_cloud: LocalCloudServer, world: World, tmp_path: Path
) -> None:
    good = target.credential.get_token(target.profile.ossrdbms_scope).token
    arm = target.credential.get_token(target.profile.arm_scope).token
    expired = _operator_token(local_cloud, tmp_path, hours_ago=2)
    forged = _operator_token(local_cloud, tmp_path, own_key=False)
    assert _operator_token(local_cloud, tmp_path) != good
    for user, token in ((OPERATOR, arm), (OPERATOR, expired), (OPERATOR, forged), ("nobody", good), ("x" * 300, good)):
        login = MySqlConnector(target).login(world.server, user, token)
        code, message = _error(lambda login=login: connect(login, "appdb"))
        assert code == 1045, message
        assert message.endswith("(using password: YES)")
    login = MySqlConnector(target).login(world.server, OPERATOR, good)
    assert _error(lambda: connect(login, "nodb")) == (1049, "Unknown database 'nodb'")


def _refusal(statement: Any, target: Target) -> str | None:
    with pytest.raises(CloudError) as refused:
        _operator(target, statement)
    return refused.value.code


def test_sql_injection_in_a_user_name_stays_a_name(target: Target, world: World) -> None:
    hostile = "x\\'; DROP USER 'wire-app'@'%'; --"
    _operator(target, f"CREATE AADUSER {quote_string(hostile)} IDENTIFIED BY {quote_string(world.uai_client_id)}")
    assert [hostile, "%"] in _operator(target, "SELECT User, Host FROM mysql.user", None)
    assert _refusal(f"CREATE AADUSER {quote_string(hostile)} IDENTIFIED BY 'nope'", target) == "1105"
    _operator(target, f"DROP USER {quote_string(hostile)}")
    assert _refusal(f"DROP USER {quote_string(hostile)}", target) == "1396"
    assert _refusal("CREATE AADUSER 'x' IDENTIFIED BY 'a'' OR ''1''=''1'", target) == "1105"


def _raw(local_cloud: LocalCloudServer, payloads: list[bytes], *, tls: bool) -> bytes:
    """Send raw packets after the server's greeting (TLS first when asked); what the server answers."""
    host, port = local_cloud.cloud.mysql_address or ("", 0)
    with socket.create_connection((host, port), 10) as raw:
        raw.recv(65536)
        sock: Any = raw
        if tls:
            raw.sendall(
                struct.pack("<I", 32)[:3] + b"\x01" + struct.pack("<IIB23s", 0x0A8A85 | 0x800, 1 << 24, 33, b"")
            )
            context = ssl.create_default_context(cafile=str(local_cloud.ca_cert))
            sock = context.wrap_socket(raw, server_hostname="wiredb.mysql.database.azure.com")
        sequence = 2 if tls else 1
        for payload in payloads:
            sock.sendall(struct.pack("<I", len(payload))[:3] + bytes([sequence]) + payload)
            sequence += 1
        sock.settimeout(10)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionError, ssl.SSLError):
            pass
        return answer


@pytest.mark.parametrize(
    ("payloads", "tls", "code"),
    [
        pytest.param([b"\x85\xa6"], True, 1043, id="truncated handshake"),
        pytest.param([b"\x85\xa6\x0a\x00" + b"\0" * 28 + b"u" * (1 << 20) + b"\0"], True, 1043, id="1 MB user name"),
        pytest.param([struct.pack("<IIB23s", 0x0A8205, 1 << 24, 33, b"") + b"u\0\0\0"], False, 3159, id="no TLS"),
        pytest.param([struct.pack("<IIB23s", 0x0A8205, 1 << 24, 33, b"") + b"u" * 64], True, 1043, id="no NUL"),
    ],
)
def test_hostile_input_gets_mysqls_error_and_the_cloud_keeps_serving(
    target: Target, local_cloud: LocalCloudServer, world: World, payloads: list[bytes], tls: bool, code: int
) -> None:
    answer = _raw(local_cloud, payloads, tls=tls)
    assert answer[4:5] == b"\xff", answer[:64]
    assert struct.unpack("<H", answer[5:7])[0] == code
    assert _operator(target, "SELECT 1") == [[1]]


def test_the_control_api_and_status_name_the_mysql_listener(local_cloud: LocalCloudServer, target: Target) -> None:
    from provisioner.azure.listeners import local_listener

    host, port, _ = local_listener(target, "mysql")
    assert (host, port) == local_cloud.cloud.mysql_address


def test_mysql_database_user_lifecycle(clients: Clients, world: World) -> None:
    database = f"{world.server_id}/databases/appdb"
    wanted = desired(
        "mysql_database_user",
        {"database": database, "name": "lifecycle-user", "identity": world.uai_client_id, "privileges": ["SELECT"]},
    )
    later = changed(wanted, privileges=["INSERT", "SELECT"])
    updated = full_lifecycle(clients, wanted, later)
    assert updated.attributes["privileges"] == ["INSERT", "SELECT"]
