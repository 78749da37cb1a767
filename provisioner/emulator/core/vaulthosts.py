"""One HTTPS port per key vault, so that a vault's URL is at the root of its own origin, as in Azure.

azure-keyvault-secrets parses every secret id (KeyVaultSecretIdentifier): it keeps only scheme, host and
port as the vault URL, and takes the name and version from the first path segments after `secrets`. A
vault must therefore be told apart by host or port; host names need DNS (`*.localhost` does not resolve
everywhere), so each vault gets a port on 127.0.0.1. Its `vaultUri` is `https://127.0.0.1:<port>/` and
its secret ids are `{vaultUri}secrets/{name}/{version}`, usable as given by any SDK client.

A vault's port is opened when its URL is first handed out and kept for the life of the server; the data
dir remembers it (`vault-ports.json`) and a restart binds the same port again when it is free. Requests
on a vault's port are served by the same app as the path-style request to the main port they stand for,
`/_vaults/<name>/...` (which keeps working): challenges and other absolute URLs name the main port.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from starlette.types import Scope

VAULT_PREFIX = "/_vaults"  # path-style vault URLs on the main port: /_vaults/<vault>/...


PORTS_FILE = "vault-ports.json"
Opener = Callable[[socket.socket], object]


class VaultHosts:
    def __init__(self, data_dir: Path, host: str = "127.0.0.1") -> None:
        self._path = data_dir / PORTS_FILE
        self._host = host
        self._lock = threading.Lock()
        self._remembered: dict[str, int] = _read(self._path)
        self._ports: dict[str, int] = {}
        self._names: dict[int, str] = {}
        self._opener: Opener | None = None
        self._main_port = 0

    def attach(self, opener: Opener, main_port: int) -> None:
        """Serve vault ports from now on: `opener` starts serving a listening socket."""
        with self._lock:
            self._opener = opener
            self._main_port = main_port

    def detach(self) -> None:
        with self._lock:
            self._opener = None
            self._ports.clear()
            self._names.clear()

    def vault_url(self, base_url: str, name: str) -> str:
        """The vault's URL: its own port's root while serving, else path style on `base_url`."""
        with self._lock:
            if self._opener is None:
                return f"{base_url}{VAULT_PREFIX}/{name}/"
            port = self._ports.get(name.lower()) or self._open(name.lower(), self._opener)
        scheme, _, _ = base_url.partition("://")
        return f"{scheme}://{self._host}:{port}/"

    def rewrite(self, scope: Scope) -> Scope:
        """A request that arrived on a vault's port, as the path-style request to the main port it stands for
        (so that it is handled, and its absolute URLs are made, exactly as that one); any other unchanged."""
        server = scope.get("server")
        with self._lock:
            name = self._names.get(server[1]) if server else None
            main = self._main_port
        if name is None:
            return scope
        path = f"{VAULT_PREFIX}/{name}{scope['path']}"
        headers = [(key, value) for key, value in scope["headers"] if key != b"host"]
        headers.append((b"host", f"{self._host}:{main}".encode()))
        return dict(scope, path=path, raw_path=path.encode(), headers=headers, server=(self._host, main))

    def _open(self, name: str, opener: Opener) -> int:
        sock = _listen(self._host, self._remembered.get(name, 0))
        port: int = sock.getsockname()[1]
        opener(sock)
        self._ports[name], self._names[port] = port, name
        if self._remembered.get(name) != port:
            self._remembered[name] = port
            _write(self._path, self._remembered)
        return port


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on `port`, or on a free one when that is taken."""
    for candidate in dict.fromkeys((port, 0)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the port a restart binds again
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((host, candidate))
            sock.listen(512)
            return sock
        except OSError:
            sock.close()
            if candidate == 0:
                raise
    raise AssertionError("unreachable: binding port 0 either succeeds or raises")


def _read(path: Path) -> dict[str, int]:
    try:
        raw = json.loads(path.read_text())
        return {str(name): int(port) for name, port in raw.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _write(path: Path, ports: dict[str, int]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(ports, indent=2, sort_keys=True))
    os.replace(tmp, path)
