"""The local cloud's fixed identity (tenant, subscription, operator principal), persisted per data dir."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

IDENTITY_FILE = "cloud.json"
DEFAULT_LOCATION = "westus"

# The audiences (token `aud`) of each service, as public Azure issues them.
ARM_AUDIENCES = (
    "https://management.azure.com/",
    "https://management.azure.com",
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
)
GRAPH_AUDIENCES = (
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
)
STORAGE_AUDIENCES = ("https://storage.azure.com", "https://storage.azure.com/")
VAULT_AUDIENCES = ("https://vault.azure.net", "https://vault.azure.net/")
SQL_AUDIENCES = ("https://database.windows.net", "https://database.windows.net/")
# Azure Database for MySQL and PostgreSQL (flexible servers) share one Entra resource.
OSSRDBMS_AUDIENCES = ("https://ossrdbms-aad.database.windows.net", "https://ossrdbms-aad.database.windows.net/")


def graph_audiences(base_url: str) -> tuple[str, ...]:
    """Graph's audiences: public Azure's, and the local cloud's own URL, which its cloud metadata advertises
    as `microsoftGraphResourceId` (as a sovereign cloud advertises its own Graph host). The Azure CLI uses
    that one value both as the token's resource and as Graph's base URL."""
    return (*GRAPH_AUDIENCES, base_url, base_url + "/")


@dataclass(frozen=True)
class CloudIdentity:
    """Who the local cloud is: generated on first start, stable across restarts of one data dir."""

    tenant_id: str
    subscription_id: str
    operator_client_id: str
    operator_object_id: str
    operator_secret: str = field(repr=False)
    operator_display_name: str = "provision-operator"
    # Authorizes the control API (`/_cloud/...`) as the operator's token does; kept only in cloud.json.
    control_key: str = field(default="", repr=False)

    @classmethod
    def generate(cls) -> CloudIdentity:
        return cls(
            tenant_id=str(uuid.uuid4()),
            subscription_id=str(uuid.uuid4()),
            operator_client_id=str(uuid.uuid4()),
            operator_object_id=str(uuid.uuid4()),
            operator_secret=secrets.token_urlsafe(32),
            control_key=secrets.token_urlsafe(32),
        )


def load_or_create_identity(data_dir: Path) -> CloudIdentity:
    """Read `cloud.json` from the data dir, creating it (mode 0600: it holds a secret) if absent."""
    path = data_dir / IDENTITY_FILE
    if path.exists():
        identity = CloudIdentity(**json.loads(path.read_text()))
        if identity.control_key:
            return identity
        # A data dir made before the control API needed a credential: give it a key.
        identity = replace(identity, control_key=secrets.token_urlsafe(32))
    else:
        identity = CloudIdentity.generate()
    data_dir.mkdir(parents=True, exist_ok=True)
    _write_private(path, identity)
    return identity


def _write_private(path: Path, identity: CloudIdentity) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(identity), handle, indent=2)
    os.replace(tmp, path)
