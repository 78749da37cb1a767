"""Lease Blob (`PUT ?comp=lease`): acquire, renew, change, release and break, as the Blob service does.

A lease is 15-60 s or infinite (-1). Its state is worked out from the clock when asked: a fixed lease
past its end is `expired` (anyone may acquire it, its holder may still renew it), a lease breaking
past its break time is `broken`. Writes and deletes of a blob under an active lease (leased or
breaking) must carry its id: `LeaseIdMissing` / `LeaseIdMismatchWithBlobOperation` (412); an id on a
blob without one is `LeaseNotPresentWithBlobOperation` (412). Lease operations leave the ETag alone.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.responses import Response

from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource, resource_key
from provisioner.emulator.resources.cascade import on_delete
from provisioner.emulator.storage import blob_errors, blobstore
from provisioner.emulator.storage.models import ACCOUNT_TYPE, CONTAINER_TYPE

_SCHEMA = """
CREATE TABLE IF NOT EXISTS storage_leases (
    container TEXT NOT NULL,
    name TEXT NOT NULL,
    lease_id TEXT NOT NULL,
    duration INTEGER NOT NULL,
    expires REAL,
    break_at REAL,
    PRIMARY KEY (container, name)
)
"""
INFINITE = -1
MIN_SECONDS, MAX_SECONDS, MAX_BREAK_SECONDS = 15, 60, 60
ACTIVE = ("leased", "breaking")


@dataclass(frozen=True)
class Lease:
    lease_id: str
    duration: int  # seconds, or INFINITE
    expires: float | None  # None: infinite
    break_at: float | None  # set once broken or breaking

    def state(self, now: float) -> str:
        if self.break_at is not None:
            return "breaking" if now < self.break_at else "broken"
        if self.expires is not None and now >= self.expires:
            return "expired"
        return "leased"


@contextmanager
def _leases_table(store: Store) -> Iterator[sqlite3.Connection]:
    store.add_schema(_SCHEMA)
    with store.transaction() as conn:
        yield conn


def current(store: Store, container_id: str, name: str) -> Lease | None:
    with _leases_table(store) as conn:
        row = conn.execute(
            "SELECT lease_id, duration, expires, break_at FROM storage_leases WHERE container = ? AND name = ?",
            (resource_key(container_id), name),
        ).fetchone()
    return Lease(row[0], int(row[1]), row[2], row[3]) if row else None


def _save(store: Store, container_id: str, name: str, lease: Lease) -> None:
    with _leases_table(store) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO storage_leases (container, name, lease_id, duration, expires, break_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (resource_key(container_id), name, lease.lease_id, lease.duration, lease.expires, lease.break_at),
        )


def forget(store: Store, container_id: str, name: str) -> None:
    with _leases_table(store) as conn:
        conn.execute("DELETE FROM storage_leases WHERE container = ? AND name = ?", (resource_key(container_id), name))


def lease_headers(lease: Lease | None) -> dict[str, str]:
    """x-ms-lease-status, -state and (while leased) -duration of a blob, for HEAD and GET."""
    state = lease.state(time.time()) if lease else "available"
    headers = {"x-ms-lease-status": "locked" if state in ACTIVE else "unlocked", "x-ms-lease-state": state}
    if lease is not None and state == "leased":
        headers["x-ms-lease-duration"] = "infinite" if lease.duration == INFINITE else "fixed"
    return headers


def check_blob_operation(call: Call, container_id: str, name: str) -> None:
    """A write or delete of a blob: the lease id it carries must be the blob's active lease."""
    given = call.request.headers.get("x-ms-lease-id")
    lease = current(call.cloud.store, container_id, name)
    active = lease is not None and lease.state(time.time()) in ACTIVE
    if active and given is None:
        raise CloudServiceError(
            412,
            "LeaseIdMissing",
            "There is currently a lease on the blob and no lease ID was specified in the request.",
        )
    if active and lease is not None and given != lease.lease_id:
        raise CloudServiceError(
            412, "LeaseIdMismatchWithBlobOperation", "The lease ID specified did not match the lease ID for the blob."
        )
    if not active and given is not None:
        raise CloudServiceError(412, "LeaseNotPresentWithBlobOperation", "There is currently no lease on the blob.")


# ---- Lease Blob ---------------------------------------------------------------------------------


def _not_present() -> CloudServiceError:
    return CloudServiceError(409, "LeaseNotPresentWithLeaseOperation", "There is currently no lease on the blob.")


def _mismatch() -> CloudServiceError:
    return CloudServiceError(
        409, "LeaseIdMismatchWithLeaseOperation", "The lease ID specified did not match the lease ID for the blob."
    )


def _invalid_header(name: str, value: str) -> CloudServiceError:
    return CloudServiceError(
        400,
        "InvalidHeaderValue",
        "The value for one of the HTTP headers is not in the correct format.",
        extra={"HeaderName": name, "HeaderValue": value},
    )


def _header(call: Call, name: str) -> str:
    value = call.request.headers.get(name)
    if value is None:
        raise blob_errors.missing_header(name)
    return value


def _lease_id(call: Call, name: str) -> str:
    value = _header(call, name)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _invalid_header(name, value) from None


def _duration(call: Call) -> int:
    value = _header(call, "x-ms-lease-duration")
    number = int(value) if value.lstrip("-").isdigit() else 0
    if number != INFINITE and not MIN_SECONDS <= number <= MAX_SECONDS:
        raise _invalid_header("x-ms-lease-duration", value)
    return number


def _new_lease(lease_id: str, duration: int, now: float) -> Lease:
    return Lease(lease_id, duration, None if duration == INFINITE else now + duration, None)


def _acquire(call: Call, lease: Lease | None, now: float) -> tuple[Lease, int]:
    duration = _duration(call)
    proposed = _lease_id(call, "x-ms-proposed-lease-id") if "x-ms-proposed-lease-id" in call.request.headers else None
    state = lease.state(now) if lease else "available"
    if lease is not None and state == "breaking":
        raise CloudServiceError(409, "LeaseIsBreakingAndCannotBeAcquired", "There is already a lease present.")
    if lease is not None and state == "leased" and proposed != lease.lease_id:
        raise CloudServiceError(409, "LeaseAlreadyPresent", "There is already a lease present.")
    return _new_lease(proposed or str(uuid.uuid4()), duration, now), 201


def _renew(call: Call, lease: Lease | None, now: float) -> tuple[Lease, int]:
    given = _lease_id(call, "x-ms-lease-id")
    if lease is None:
        raise _not_present()
    if given != lease.lease_id:
        raise _mismatch()
    if lease.break_at is not None:
        raise CloudServiceError(
            409, "LeaseIsBrokenAndCannotBeRenewed", "The lease ID matched, but the lease has been broken explicitly "
            "and cannot be renewed."
        )  # fmt: skip
    return _new_lease(lease.lease_id, lease.duration, now), 200


def _change(call: Call, lease: Lease | None, now: float) -> tuple[Lease, int]:
    given = _lease_id(call, "x-ms-lease-id")
    proposed = _lease_id(call, "x-ms-proposed-lease-id")
    if lease is None or lease.state(now) not in ACTIVE:
        raise _not_present()
    if lease.state(now) == "breaking":
        raise CloudServiceError(
            409, "LeaseIsBreakingAndCannotBeChanged", "The lease ID matched, but the lease is currently in breaking "
            "state and cannot be changed."
        )  # fmt: skip
    if given not in (lease.lease_id, proposed):
        raise _mismatch()
    return Lease(proposed, lease.duration, lease.expires, None), 200


def _release(call: Call, lease: Lease | None, now: float) -> tuple[Lease | None, int]:
    given = _lease_id(call, "x-ms-lease-id")
    if lease is None:
        raise _not_present()
    if given != lease.lease_id:
        raise _mismatch()
    return None, 200


def _break(call: Call, lease: Lease | None, now: float) -> tuple[Lease, int]:
    if lease is None or lease.state(now) == "available":
        raise _not_present()
    period = call.request.headers.get("x-ms-lease-break-period")
    if period is not None and (not period.isdigit() or int(period) > MAX_BREAK_SECONDS):
        raise _invalid_header("x-ms-lease-break-period", period)
    if lease.state(now) == "expired":
        return Lease(lease.lease_id, lease.duration, lease.expires, now), 202
    # A fixed lease breaks when its period or its remaining time ends, whichever is first; an infinite
    # one without a period at once. A second break may only shorten a breaking lease.
    remaining = 0.0 if lease.expires is None else lease.expires - now
    wait = remaining if period is None else min(float(period), remaining if lease.expires else float(period))
    break_at = now + wait if lease.break_at is None else min(lease.break_at, now + wait)
    return Lease(lease.lease_id, lease.duration, lease.expires, break_at), 202


_ACTIONS = {"acquire": _acquire, "renew": _renew, "change": _change, "release": _release, "break": _break}


async def lease_blob(call: Call, container_id: str, name: str) -> Response:
    """One Lease Blob request on an existing blob (authorized by the caller)."""
    action = _header(call, "x-ms-lease-action").lower()
    handler = _ACTIONS.get(action)
    if handler is None:
        raise _invalid_header("x-ms-lease-action", action)
    blob = blobstore.blob_properties(call.cloud.store, container_id, name)
    if blob is None:
        raise blob_errors.blob_not_found()
    now = time.time()
    lease, status = handler(call, current(call.cloud.store, container_id, name), now)
    if lease is None:
        forget(call.cloud.store, container_id, name)
    else:
        _save(call.cloud.store, container_id, name, lease)
    headers = {"ETag": blob.etag, "Last-Modified": blobstore.http_time(blob.modified)}
    if action == "break" and lease is not None:
        headers["x-ms-lease-time"] = str(max(0, round((lease.break_at or now) - now)))
    elif lease is not None:
        headers["x-ms-lease-id"] = lease.lease_id
    return Response(b"", status, {"x-ms-version": call.request.headers.get("x-ms-version", ""), **headers})


@on_delete
def _drop_leases(store: Store, resource: StoredResource) -> None:
    if resource.type not in (CONTAINER_TYPE.lower(), ACCOUNT_TYPE.lower()):
        return
    key = resource_key(resource.id)
    with _leases_table(store) as conn:
        conn.execute(
            "DELETE FROM storage_leases WHERE container = ? OR substr(container, 1, ?) = ?",
            (key, len(key) + 1, key + "/"),
        )
