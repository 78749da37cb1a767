"""A deployment lock as a lease on `<deployment>.lock`: held while a background thread renews it, so a
holder that dies (even by SIGKILL) frees it when the lease runs out. The blob's metadata (Set Blob Metadata,
under the lease) says who holds it."""

from __future__ import annotations

import getpass
import os
import socket
import threading
import time
from datetime import UTC, datetime

from azure.core.exceptions import HttpResponseError, ResourceExistsError
from azure.storage.blob import BlobClient, BlobLeaseClient

from provisioner.errors import LockHeldError, StateError
from provisioner.state.lock import POLL_SECONDS, HeldLock, LockHolder, held_message

LEASE_VARIABLE = "PROVISION_STATE_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 60


def lease_seconds() -> int:
    value = os.environ.get(LEASE_VARIABLE, str(DEFAULT_LEASE_SECONDS))
    if not value.isdigit() or not 15 <= int(value) <= 60:
        raise StateError(f"{LEASE_VARIABLE} must be a whole number of seconds from 15 to 60, not '{value}'")
    return int(value)


def holder_of(metadata: dict[str, str]) -> LockHolder | None:
    if "pid" not in metadata:
        return None
    pid = metadata["pid"]
    who = f"{metadata.get('user', '?')}@{metadata.get('host', '?')}"
    return LockHolder(int(pid) if pid.isdigit() else None, who, metadata.get("command"), metadata.get("started"))


class BlobLeaseLock(HeldLock):
    def __init__(self, blob: BlobClient, deployment: str, command: str, timeout: float, seconds: int) -> None:
        self.blob = blob
        self.deployment = deployment
        self.command = command
        self.timeout = timeout
        self.seconds = seconds
        self.took_over: LockHolder | None = None
        self._lease: BlobLeaseClient | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> None:
        self._ensure_blob()
        deadline = time.monotonic() + self.timeout
        while True:
            lease = BlobLeaseClient(self.blob)
            try:
                lease.acquire(lease_duration=self.seconds)
            except ResourceExistsError:  # LeaseAlreadyPresent / breaking
                if time.monotonic() >= deadline:
                    raise LockHeldError(self._held_message()) from None
                time.sleep(POLL_SECONDS)
                continue
            except HttpResponseError as error:
                raise StateError(f"cannot lock {self.blob.url}: {error.reason}") from None
            self._claim(lease)
            return

    def release(self) -> None:
        if self._lease is None:
            return
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        try:
            self.blob.set_blob_metadata({}, lease=self._lease)
            self._lease.release()
        except HttpResponseError:
            pass  # the lease ran out meanwhile; it frees itself
        self._lease = None

    def _ensure_blob(self) -> None:
        try:
            self.blob.upload_blob(b"", overwrite=False)
        except HttpResponseError as error:
            if error.status_code in (409, 412):  # there already, perhaps leased
                return
            raise StateError(f"cannot create lock {self.blob.url}: {error.reason}") from None

    def _claim(self, lease: BlobLeaseClient) -> None:
        self.took_over = holder_of(self.blob.get_blob_properties().metadata or {})
        record = {
            "user": getpass.getuser(),
            "host": socket.gethostname(),
            "pid": str(os.getpid()),
            "command": self.command,
            "deployment": self.deployment,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.blob.set_blob_metadata(record, lease=lease)
        self._lease = lease
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, name=f"lease-{self.deployment}", daemon=True)
        self._renewer.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            if self._lease is not None:
                try:
                    self._lease.renew()
                except HttpResponseError:
                    return  # lost (broken by `state unlock --force`); the next write says so

    def _held_message(self) -> str:
        try:
            holder = holder_of(self.blob.get_blob_properties().metadata or {})
        except HttpResponseError:
            holder = None
        return held_message(self.deployment, holder, self.blob.url)


def break_lock(blob: BlobClient) -> LockHolder | None:
    """Break the lease at once (`state unlock --force`): who held it, or None if nobody did."""
    holder = holder_of(blob.get_blob_properties().metadata or {})
    try:
        BlobLeaseClient(blob).break_lease(lease_break_period=0)
    except HttpResponseError as error:
        if getattr(error, "error_code", None) != "LeaseNotPresentWithLeaseOperation":
            raise StateError(f"cannot break the lock {blob.url}: {error.reason}") from None
    return holder
