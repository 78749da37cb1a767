"""State in an Azure blob container: `<prefix><deployment>.json` documents and `<deployment>.lock` leases.

Every write is conditional: `If-Match` the ETag this process last read or wrote, `If-None-Match: *` for
a document it found missing. A writer that lost a race gets a StateError and the remote document is
left as the winner wrote it; the rejected document is kept in a local rescue file.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from azure.core import MatchConditions
from azure.core.credentials import TokenCredential
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.storage.blob import BlobClient, BlobServiceClient, ContainerClient

from provisioner.errors import ConfigurationError, StateError
from provisioner.state.backend import BLOB_SCHEME
from provisioner.state.blob_lock import BlobLeaseLock, break_lock, lease_seconds
from provisioner.state.history import History, history_keep, state_text
from provisioner.state.lock import LockHolder
from provisioner.state.model import DeploymentState
from provisioner.state.store import DEPLOYMENT_NAME, check_deployment_name

RESCUE_DIR = Path(".provision/rejected")


@dataclass(frozen=True)
class BlobLocation:
    account: str
    container: str
    prefix: str  # "" or ending in "/"

    @classmethod
    def parse(cls, url: str) -> BlobLocation:
        parts = url.removeprefix(BLOB_SCHEME).strip("/").split("/", 2)
        if not url.startswith(BLOB_SCHEME) or len(parts) < 2 or not all(parts[:2]):
            raise ConfigurationError(f"invalid state location '{url}': use azblob://ACCOUNT/CONTAINER[/PREFIX]")
        prefix = parts[2].strip("/") + "/" if len(parts) == 3 and parts[2].strip("/") else ""
        return cls(parts[0], parts[1], prefix)

    def describe(self) -> str:
        return f"{BLOB_SCHEME}{self.account}/{self.container}/{self.prefix}".rstrip("/")


class ContainerDocuments:
    """Documents as blobs under a container prefix (history copies: unconditional writes)."""

    def __init__(self, container: ContainerClient, location: BlobLocation) -> None:
        self.container = container
        self.location = location

    def read_text(self, name: str) -> str | None:
        try:
            return self.container.get_blob_client(self.location.prefix + name).download_blob().readall().decode()
        except ResourceNotFoundError:
            return None
        except HttpResponseError as error:
            raise StateError(f"cannot read state {self.location.describe()}/{name}: {error.reason}") from None

    def write_text(self, name: str, text: str) -> None:
        try:
            self.container.get_blob_client(self.location.prefix + name).upload_blob(text.encode(), overwrite=True)
        except HttpResponseError as error:
            raise StateError(f"cannot write state {self.location.describe()}/{name}: {error.reason}") from None

    def names(self, prefix: str) -> list[str]:
        blobs = self.container.list_blobs(name_starts_with=self.location.prefix + prefix)
        return [blob.name.removeprefix(self.location.prefix) for blob in blobs]

    def remove(self, name: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self.container.get_blob_client(self.location.prefix + name).delete_blob()


class BlobStateStore:
    def __init__(
        self,
        location: BlobLocation,
        account_url: str,
        credential: TokenCredential,
        *,
        connection_verify: str | bool = True,
    ) -> None:
        self.location = location
        service = BlobServiceClient(account_url, credential=credential, connection_verify=connection_verify)
        self.container: ContainerClient = service.get_container_client(location.container)
        self._etags: dict[str, str | None] = {}  # deployment -> ETag last seen (None: known missing)
        self._seen: dict[str, str] = {}  # deployment -> the text of the document of that ETag
        self._guard = threading.Lock()
        self.history = History(ContainerDocuments(self.container, location), history_keep())

    def describe(self) -> str:
        return self.location.describe()

    def _name(self, deployment: str) -> str:
        return f"{self.location.prefix}{check_deployment_name(deployment)}.json"

    def load(self, deployment: str) -> DeploymentState | None:
        name = self._name(deployment)
        try:
            download = self.container.get_blob_client(name).download_blob()
            text = download.readall().decode("utf-8")
        except ResourceNotFoundError:
            self._etags[deployment] = None
            return None
        except HttpResponseError as error:
            raise StateError(f"cannot read state {self.describe()}/{name}: {error.reason}") from None
        self._etags[deployment] = download.properties.etag
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise StateError(f"{self.describe()}/{name}: state is not valid JSON ({exc})") from None
        state = DeploymentState.from_json(data, f"{self.describe()}/{name}")
        self._seen[deployment] = text
        return state

    def load_or_new(self, deployment: str) -> DeploymentState:
        return self.load(deployment) or DeploymentState(deployment=deployment)

    def save(self, state: DeploymentState) -> None:
        name = self._name(state.deployment)
        text = state_text(state)
        with self._guard:
            if state.deployment not in self._etags:
                self.load(state.deployment)  # a first write without a read: guard against what is there
            self.history.before_save(lambda: self._last_seen(state.deployment), state)
            etag = self._etags[state.deployment]
            condition: dict[str, Any] = (
                {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {"overwrite": False}
            )
            if etag:
                condition["overwrite"] = True
            try:
                written = self.container.get_blob_client(name).upload_blob(text.encode(), **condition)
            except (ResourceModifiedError, ResourceExistsError):
                rescue = _rescue(state.deployment, text)
                raise StateError(
                    f"state {self.describe()}/{name} was changed by another writer since this run read it; "
                    f"nothing was overwritten, this run's state is kept in {rescue}"
                ) from None
            except HttpResponseError as error:
                raise StateError(f"cannot write state {self.describe()}/{name}: {error.reason}") from None
            self._etags[state.deployment] = str(written["etag"])
            self._seen[state.deployment] = text

    def _last_seen(self, deployment: str) -> DeploymentState | None:
        seen = self._seen.get(deployment)
        return None if seen is None else DeploymentState.from_json(json.loads(seen), self._name(deployment))

    def deployments(self) -> list[str]:
        names = (blob.name for blob in self.container.list_blobs(name_starts_with=self.location.prefix or None))
        stems = (
            name.removeprefix(self.location.prefix).removesuffix(".json") for name in names if name.endswith(".json")
        )
        return sorted(stem for stem in stems if DEPLOYMENT_NAME.fullmatch(stem))

    def delete(self, deployment: str, *, keep_last: bool = True) -> None:
        if keep_last:
            self.history.before_delete(self.load(deployment))
        self._seen.pop(deployment, None)
        with contextlib.suppress(ResourceNotFoundError):
            self.container.get_blob_client(self._name(deployment)).delete_blob()
        self._etags[deployment] = None

    def _lock_blob(self, deployment: str) -> BlobClient:
        return self.container.get_blob_client(f"{self.location.prefix}{check_deployment_name(deployment)}.lock")

    def lock(self, deployment: str, *, command: str, timeout: float = 0.0) -> BlobLeaseLock:
        return BlobLeaseLock(self._lock_blob(deployment), deployment, command, timeout, lease_seconds())

    def break_lock(self, deployment: str) -> LockHolder | None:
        try:
            return break_lock(self._lock_blob(deployment))
        except ResourceNotFoundError:
            return None


def _rescue(deployment: str, text: str) -> Path:
    RESCUE_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = RESCUE_DIR / f"{deployment}.{stamp}.{os.getpid()}.json"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path
