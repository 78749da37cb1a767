"""The local cloud's PostgreSQL side, through psycopg and azure-mgmt-postgresqlflexibleservers:

- Entra sign-ins per second through the listener (TCP, SSLRequest, TLS with SNI, StartupMessage, the
  token as the cleartext password checked, the role looked up in the cluster, the session relayed to
  the real server, which forks a backend, then a sign-out);
- statement round trips per second on one relayed session;
- the cost of starting one server: a flexible server's create through ARM (initdb, start, the pgaadauth
  functions), and a restart of a stopped one (what the first connection after a restart of the cloud pays);
- the memory of one idle local server: the RSS of its postmaster and its background processes (the sum
  counts shared buffers once per process that touched them: an upper bound).

The cloud serves from a thread of this process, so client and server share one interpreter; the
figures are a floor for a cloud in its own process.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from azure.mgmt.postgresqlflexibleservers import PostgreSQLManagementClient, models
from azure.mgmt.resource.resources import ResourceManagementClient

from bench.report import figure
from provisioner.azure.postgres_sql import PgAddress, connect
from provisioner.azure.target import local_target
from provisioner.cli.targets import server_connection
from provisioner.emulator.postgres.clusters import clusters_for
from provisioner.emulator.server import LocalCloudServer

DURATION_SECONDS = 3.0
ADMIN = "bench-operator"
OSSRDBMS_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"


def _server_body() -> models.Server:
    auth = models.AuthConfig(active_directory_auth="Enabled", password_auth="Disabled")
    properties = models.ServerProperties(version="16", storage=models.Storage(storage_size_gb=32), auth_config=auth)
    return models.Server(
        location="westus", sku=models.Sku(name="Standard_B1ms", tier="Burstable"), properties=properties
    )


def _prepare(server: LocalCloudServer) -> tuple[PostgreSQLManagementClient, PgAddress, str, float]:
    identity = server.cloud.identity
    ca = str(server.ca_cert)
    credential = local_target(server_connection(server)).credential
    options = {"base_url": server.url, "connection_verify": ca, "polling_interval": 1}
    ResourceManagementClient(credential, identity.subscription_id, **options).resource_groups.create_or_update(
        "bench", {"location": "westus"}
    )
    client = PostgreSQLManagementClient(credential, identity.subscription_id, **options)
    started = time.monotonic()
    # The PUT itself (the local cloud applies it before answering 202), without the poll's Retry-After.
    client.servers.begin_create_or_update("bench", "bench-pg", _server_body(), polling=False)
    create_seconds = time.monotonic() - started
    admin = models.AdministratorMicrosoftEntraAdd(
        properties=models.AdministratorMicrosoftEntraPropertiesForAdd(
            principal_type="ServicePrincipal", principal_name=ADMIN
        )
    )
    client.administrators_microsoft_entra.begin_create_or_update(
        "bench", "bench-pg", identity.operator_object_id, admin
    ).result()
    listener = server.cloud.postgres_address
    assert listener is not None
    address = PgAddress("bench-pg.postgres.database.azure.com", listener[0], listener[1], ca)
    return client, address, credential.get_token(OSSRDBMS_SCOPE).token, create_seconds


def _per_second(step: Callable[[], None]) -> float:
    done, start = 0, time.monotonic()
    while time.monotonic() - start < DURATION_SECONDS:
        step()
        done += 1
    return done / (time.monotonic() - start)


def _idle_rss_mib(pid: int) -> float:
    postmaster = psutil.Process(pid)
    processes = [postmaster, *postmaster.children(recursive=True)]
    return sum(process.memory_info().rss for process in processes) / (1 << 20)


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir, LocalCloudServer(Path(data_dir)) as server:
        client, address, token, create_seconds = _prepare(server)
        print(figure("postgres_server_create_seconds", create_seconds, "<=", 5, digits=2, unit="s"))

        def sign_in() -> None:
            connect(address, "postgres", ADMIN, token).close()

        print(figure("postgres_entra_logins_per_second", _per_second(sign_in), ">=", 20, digits=1))
        with connect(address, "postgres", ADMIN, token) as connection:

            def round_trip() -> None:
                connection.execute("SELECT 1").fetchall()

            print(figure("postgres_round_trips_per_second", _per_second(round_trip), ">=", 1000, digits=1))
        clusters = clusters_for(server.data_dir)
        server_id = client.servers.get("bench", "bench-pg").id
        time.sleep(1.0)  # let the sessions' backends exit: the server is idle
        (pid,) = clusters.running()
        print(figure("postgres_idle_server_rss_mib", _idle_rss_mib(pid), "<=", 64, digits=1, unit="MiB"))
        clusters.stop_all()
        started = time.monotonic()
        clusters.ensure(server_id)
        print(figure("postgres_server_restart_seconds", time.monotonic() - started, "<=", 2, digits=2, unit="s"))


if __name__ == "__main__":
    main()
