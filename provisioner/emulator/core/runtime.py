"""The running local cloud's state: identity, store, token issuer, faults and request log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from provisioner.emulator.core.config import CloudIdentity, load_or_create_identity
from provisioner.emulator.core.faults import Faults, FaultSettings
from provisioner.emulator.core.requestlog import RequestLog
from provisioner.emulator.core.store import Store
from provisioner.emulator.core.tokens import TokenIssuer
from provisioner.emulator.core.vaulthosts import VaultHosts

DATABASE_FILE = "cloud.sqlite"

ScopeFinder = Callable[[Store, str], bool]
"""True when the scope is an object a service keeps outside the ARM store, and exists."""


class LocalCloud:
    """`seed` writes what a fresh cloud contains (see seed.py); it runs at start and after every reset.
    `scope_finders` say whether a scope that is no ARM resource exists (see arm/scopes.py)."""

    def __init__(
        self,
        data_dir: Path,
        seed: Callable[[LocalCloud], None],
        faults: FaultSettings | None = None,
        scope_finders: tuple[ScopeFinder, ...] = (),
    ) -> None:
        self.data_dir = data_dir
        self._seed = seed
        self.scope_finders = scope_finders
        self.identity: CloudIdentity = load_or_create_identity(data_dir)
        self.store = Store(data_dir / DATABASE_FILE)
        self.tokens = TokenIssuer(data_dir, self.identity.tenant_id)
        self.faults = Faults(faults)
        self.log = RequestLog()
        self.vault_hosts = VaultHosts(data_dir)
        self.tds_address: tuple[str, int] | None = None  # the TDS listener, set by the server that serves this cloud
        self.postgres_address: tuple[str, int] | None = None  # the PostgreSQL listener, likewise
        self.seed()

    def seed(self) -> None:
        """The directory and subscription every fresh cloud starts with (idempotent)."""
        self._seed(self)

    def reset(self) -> None:
        self.store.reset()
        self.log.clear()
        self.seed()

    def close(self) -> None:
        self.store.close()
