"""The running local cloud's state: identity, store, token issuer, faults and request log."""

from __future__ import annotations

from pathlib import Path

from provisioner.emulator.auth.tokens import TokenIssuer
from provisioner.emulator.config import CloudIdentity, load_or_create_identity
from provisioner.emulator.faults import Faults, FaultSettings
from provisioner.emulator.requestlog import RequestLog
from provisioner.emulator.store import Store

DATABASE_FILE = "cloud.sqlite"


class Cloud:
    def __init__(self, data_dir: Path, faults: FaultSettings | None = None) -> None:
        self.data_dir = data_dir
        self.identity: CloudIdentity = load_or_create_identity(data_dir)
        self.store = Store(data_dir / DATABASE_FILE)
        self.tokens = TokenIssuer(data_dir, self.identity.tenant_id)
        self.faults = Faults(faults)
        self.log = RequestLog()
        self.seed()

    def seed(self) -> None:
        """The directory and subscription every fresh cloud starts with (idempotent)."""
        from provisioner.emulator.seed import seed_cloud

        seed_cloud(self)

    def reset(self) -> None:
        self.store.reset()
        self.log.clear()
        self.seed()

    def close(self) -> None:
        self.store.close()
