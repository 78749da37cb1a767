"""Serving the local cloud over HTTPS on 127.0.0.1, in a background thread or in the foreground.

`LocalCloudServer(data_dir)` binds a socket at once (port 0 picks a free port), so `url` is known
before serving starts. While it serves, `<data dir>/server.json` tells other processes (`provision
cloud env`, `status`, `reset`) where it is; `find_running` reads that file and ignores a stale one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import uvicorn

from provisioner.emulator.app import LocalCloudApp
from provisioner.emulator.core.faults import FaultSettings
from provisioner.emulator.core.listener_tls import listener_context
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.discovery import (
    DEFAULT_DATA_DIR,
    HOST,
    SERVER_FILE,
    ServerInfo,
    find_running,
    read_server_file,
)
from provisioner.emulator.mysql.listener import MysqlListener
from provisioner.emulator.postgres.clusters import clusters_for
from provisioner.emulator.postgres.listener import PostgresListener
from provisioner.emulator.postgres.listener import server_context as postgres_context
from provisioner.emulator.seed import seed_cloud
from provisioner.emulator.services import ROUTE_TABLES, SCOPE_FINDERS
from provisioner.emulator.sql.tds.server import TdsServer, server_context
from provisioner.emulator.tls import ensure_tls

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
SSL_SHUTDOWN_TIMEOUT_SECONDS = 1.0
# What other modules import from here; discovery.py is where a running cloud is found.
__all__ = ["DEFAULT_DATA_DIR", "SERVER_FILE", "LocalCloudServer", "ServerInfo", "find_running"]


class LocalCloudServer:
    def __init__(self, data_dir: Path, *, port: int = 0, faults: FaultSettings | None = None) -> None:
        self.data_dir = data_dir
        self._socket = _bind(port)
        self._port: int = self._socket.getsockname()[1]
        self._tls = ensure_tls(data_dir)
        self.cloud = LocalCloud(data_dir, seed_cloud, faults, SCOPE_FINDERS)
        self._tds_socket = _bind(0)
        self.cloud.tds_address = (HOST, self._tds_socket.getsockname()[1])
        tds = TdsServer(self.cloud, server_context(self._tls.server_cert, self._tls.server_key))
        self._postgres_socket = _bind(0)
        self.cloud.postgres_address = (HOST, self._postgres_socket.getsockname()[1])
        postgres = PostgresListener(self.cloud, postgres_context(str(self._tls.server_cert), str(self._tls.server_key)))
        self._mysql_socket = _bind(0)
        self.cloud.mysql_address = (HOST, self._mysql_socket.getsockname()[1])
        mysql = MysqlListener(self.cloud, listener_context(self._tls.server_cert, self._tls.server_key))
        self._server = _Server(
            self.cloud,
            (tds, self._tds_socket),
            (postgres, self._postgres_socket),
            (mysql, self._mysql_socket),
            uvicorn.Config(
                LocalCloudApp(self.cloud, ROUTE_TABLES),
                http="h11",
                lifespan="off",
                log_level="warning",
                log_config=None,
                access_log=False,
                ssl_certfile=str(self._tls.server_cert),
                ssl_keyfile=str(self._tls.server_key),
            ),
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}"

    @property
    def ca_cert(self) -> Path:
        return self._tls.ca_cert

    def start(self) -> None:
        """Serve from a daemon thread; return once the server accepts connections."""
        self._write_server_file()
        self._thread = threading.Thread(target=self._run, name="local-cloud", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The local cloud did not start on {self.url}.")
            time.sleep(0.01)

    def serve_forever(self) -> None:
        """Serve in the foreground until SIGINT or SIGTERM, then shut down cleanly."""
        previous = signal.signal(signal.SIGTERM, _interrupt)
        self._write_server_file()
        try:
            self._run()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self._release()

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
            self._thread = None
        self._release()

    def __enter__(self) -> LocalCloudServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        with asyncio.Runner(loop_factory=_ServerLoop) as runner:
            runner.run(self._server.serve(sockets=[self._socket]))

    def _write_server_file(self) -> None:
        info = {
            "pid": os.getpid(),
            "port": self.port,
            "url": self.url,
            "ca_cert": str(self.ca_cert.resolve()),
        }
        path = self.data_dir / SERVER_FILE
        tmp = path.with_name(f".{SERVER_FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(info, indent=2))
        os.replace(tmp, path)

    def _release(self) -> None:
        """Close the socket and the store; remove server.json if it still describes this server."""
        self._socket.close()
        self._tds_socket.close()
        self._postgres_socket.close()
        clusters_for(self.data_dir).stop_all()
        self._mysql_socket.close()
        self.cloud.close()
        running = read_server_file(self.data_dir)
        if running is not None and running.pid == os.getpid() and running.url == self.url:
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / SERVER_FILE).unlink()


class _Server(uvicorn.Server):
    """uvicorn's server, which also serves each key vault's own port (see vaulthosts.py) once started."""

    def __init__(
        self,
        cloud: LocalCloud,
        tds: tuple[TdsServer, socket.socket],
        postgres: tuple[PostgresListener, socket.socket],
        mysql: tuple[MysqlListener, socket.socket],
        config: uvicorn.Config,
    ) -> None:
        super().__init__(config)
        self._cloud = cloud
        self._tds = tds
        self._postgres = postgres
        self._mysql = mysql

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        loop = asyncio.get_running_loop()
        port = sockets[0].getsockname()[1] if sockets else self.config.port
        self._cloud.vault_hosts.attach(lambda sock: asyncio.run_coroutine_threadsafe(self._listen(sock), loop), port)
        tds, tds_socket = self._tds
        self.servers.append(await asyncio.start_server(tds.handle, sock=tds_socket))
        postgres, postgres_socket = self._postgres
        self.servers.append(await asyncio.start_server(postgres.handle, sock=postgres_socket))
        mysql, mysql_socket = self._mysql
        await mysql.start_server(sock=mysql_socket, port=None)
        self.servers.append(mysql._server)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._cloud.vault_hosts.detach()
        self._tds[0].close_all()
        self._postgres[0].close_all()
        self._mysql[0].close_all()
        await super().shutdown(sockets=sockets)

    async def _listen(self, sock: socket.socket) -> None:
        """Serve one more listening socket exactly as uvicorn serves its own (closed with them at shutdown)."""
        config = self.config

        protocol_class: Any = config.http_protocol_class

        def create_protocol() -> asyncio.Protocol:
            protocol: asyncio.Protocol = protocol_class(
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )
            return protocol

        server = await asyncio.get_running_loop().create_server(
            create_protocol, sock=sock, ssl=config.ssl, backlog=config.backlog
        )
        self.servers.append(server)


class _ServerLoop(asyncio.SelectorEventLoop):
    """An event loop whose TLS servers wait one second, not asyncio's thirty, for a client's close_notify.

    Stopping closes every kept-alive connection gracefully; an idle client never answers, and the
    server would otherwise hang that long before it can exit.
    """

    async def create_server(self, *args: Any, **kwargs: Any) -> asyncio.Server:
        if kwargs.get("ssl") is not None:
            kwargs.setdefault("ssl_shutdown_timeout", SSL_SHUTDOWN_TIMEOUT_SECONDS)
        return await super().create_server(*args, **kwargs)


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, small responses wait ~40 ms for delayed ACKs.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
