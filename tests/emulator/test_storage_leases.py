"""Lease Blob and conditional writes on the local cloud, through azure-storage-blob's lease client."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceModifiedError
from azure.storage.blob import BlobClient, BlobLeaseClient

from provisioner.emulator.server import LocalCloudServer
from tests.emulator.helpers_storage import account, account_key, blob_service, container, group, shared_key

GROUP = "lease-rg"
ACCOUNT = "leasedata"


@pytest.fixture(scope="module")
def key(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    group(local_cloud, operator_credential, GROUP)
    account(local_cloud, operator_credential, GROUP, ACCOUNT)
    container(local_cloud, operator_credential, GROUP, ACCOUNT, "state")
    return account_key(local_cloud, operator_credential, GROUP, ACCOUNT)


def _blob(local_cloud: LocalCloudServer, key: str, name: str) -> BlobClient:
    client = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key)).get_blob_client("state", name)
    client.upload_blob(b"v1", overwrite=True)
    return client


def _code(call: Any, *args: Any, **kwargs: Any) -> tuple[int | None, str | None]:
    with pytest.raises(HttpResponseError) as raised:
        call(*args, **kwargs)
    return raised.value.status_code, getattr(raised.value, "error_code", None)


def test_acquire_renew_change_release(local_cloud: LocalCloudServer, key: str) -> None:
    blob = _blob(local_cloud, key, "cycle.lock")
    etag = blob.get_blob_properties().etag
    lease = BlobLeaseClient(blob)
    lease.acquire(lease_duration=15)
    properties = blob.get_blob_properties()
    assert (properties.lease.status, properties.lease.state, properties.lease.duration) == (
        "locked",
        "leased",
        "fixed",
    )
    assert properties.etag == etag  # lease operations leave the ETag alone
    (listed,) = [
        item
        for item in blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key))
        .get_container_client("state")
        .list_blobs(name_starts_with="cycle.")
    ]
    assert (listed.lease.status, listed.lease.state, listed.lease.duration) == ("locked", "leased", "fixed")
    lease.renew()
    new_id = str(uuid.uuid4())
    lease.change(new_id)
    assert lease.id == new_id
    blob.upload_blob(b"v2", overwrite=True, lease=lease)
    lease.release()
    assert blob.get_blob_properties().lease.state == "available"
    blob.upload_blob(b"v3", overwrite=True)  # no lease, no id needed


def test_second_acquire_is_refused_until_released(local_cloud: LocalCloudServer, key: str) -> None:
    blob = _blob(local_cloud, key, "busy.lock")
    first = BlobLeaseClient(blob)
    first.acquire(lease_duration=60)
    assert _code(BlobLeaseClient(blob).acquire, lease_duration=60) == (409, "LeaseAlreadyPresent")
    first.acquire(lease_duration=60)  # its holder may acquire again with the same id
    first.release()
    BlobLeaseClient(blob).acquire(lease_duration=-1)
    assert blob.get_blob_properties().lease.duration == "infinite"


def test_writes_and_deletes_of_a_leased_blob_need_its_id(local_cloud: LocalCloudServer, key: str) -> None:
    blob = _blob(local_cloud, key, "guarded.lock")
    lease = BlobLeaseClient(blob)
    lease.acquire(lease_duration=15)
    assert _code(blob.upload_blob, b"x", overwrite=True) == (412, "LeaseIdMissing")
    assert _code(blob.upload_blob, b"x", overwrite=True, lease=str(uuid.uuid4())) == (
        412,
        "LeaseIdMismatchWithBlobOperation",
    )
    assert _code(blob.delete_blob) == (412, "LeaseIdMissing")
    blob.delete_blob(lease=lease)
    again = _blob(local_cloud, key, "guarded.lock")
    assert _code(again.upload_blob, b"x", overwrite=True, lease=str(uuid.uuid4())) == (
        412,
        "LeaseNotPresentWithBlobOperation",
    )


def test_lease_operations_refuse_wrong_ids_and_durations(local_cloud: LocalCloudServer, key: str) -> None:
    blob = _blob(local_cloud, key, "refusals.lock")
    assert _code(BlobLeaseClient(blob).acquire, lease_duration=10) == (400, "InvalidHeaderValue")
    assert _code(BlobLeaseClient(blob).release) == (409, "LeaseNotPresentWithLeaseOperation")
    BlobLeaseClient(blob).acquire(lease_duration=30)
    assert _code(BlobLeaseClient(blob, str(uuid.uuid4())).renew) == (409, "LeaseIdMismatchWithLeaseOperation")


def test_break_frees_the_lease_for_the_next_holder(local_cloud: LocalCloudServer, key: str) -> None:
    blob = _blob(local_cloud, key, "broken.lock")
    held = BlobLeaseClient(blob)
    held.acquire(lease_duration=60)
    assert BlobLeaseClient(blob).break_lease(lease_break_period=30) == 30
    assert blob.get_blob_properties().lease.state == "breaking"
    assert _code(BlobLeaseClient(blob).acquire, lease_duration=15) == (409, "LeaseIsBreakingAndCannotBeAcquired")
    assert BlobLeaseClient(blob).break_lease(lease_break_period=0) == 0  # a second break may shorten it
    assert blob.get_blob_properties().lease.state == "broken"
    assert _code(held.renew) == (409, "LeaseIsBrokenAndCannotBeRenewed")
    BlobLeaseClient(blob).acquire(lease_duration=15)


def test_conditional_writes(local_cloud: LocalCloudServer, key: str) -> None:
    blob = _blob(local_cloud, key, "state.json")
    etag = blob.get_blob_properties().etag
    blob.upload_blob(b"v2", overwrite=True, etag=etag, match_condition=MatchConditions.IfNotModified)
    with pytest.raises(ResourceModifiedError) as raised:
        blob.upload_blob(b"v3", overwrite=True, etag=etag, match_condition=MatchConditions.IfNotModified)
    assert raised.value.error_code == "ConditionNotMet"
    assert blob.download_blob().readall() == b"v2"
    fresh = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key)).get_blob_client("state", "new.json")
    fresh.upload_blob(b"n1")  # without overwrite the client sends If-None-Match: *
    with pytest.raises(ResourceExistsError) as exists:
        fresh.upload_blob(b"n2")
    assert exists.value.error_code == "BlobAlreadyExists"


def test_set_blob_metadata_under_a_lease(local_cloud: LocalCloudServer, key: str) -> None:
    blob = _blob(local_cloud, key, "meta.lock")
    before = blob.get_blob_properties()
    lease = BlobLeaseClient(blob)
    lease.acquire(lease_duration=15)
    assert _code(blob.set_blob_metadata, {"pid": "1"}) == (412, "LeaseIdMissing")
    assert _code(blob.set_blob_metadata, {"pid": "1"}, lease=str(uuid.uuid4())) == (
        412,
        "LeaseIdMismatchWithBlobOperation",
    )
    assert _code(
        blob.set_blob_metadata, {"pid": "1"}, lease=lease, etag='"0x1"', match_condition=MatchConditions.IfNotModified
    ) == (412, "ConditionNotMet")
    written = blob.set_blob_metadata({"pid": "42", "command": "apply"}, lease=lease)
    after = blob.get_blob_properties()
    assert after.metadata == {"pid": "42", "command": "apply"}
    assert written["etag"] == after.etag != before.etag and after.last_modified >= before.last_modified
    assert blob.download_blob().readall() == b"v1"  # the content is kept
    lease.release()
    blob.set_blob_metadata({})
    assert blob.get_blob_properties().metadata == {}
    missing = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key)).get_blob_client("state", "absent")
    assert _code(missing.set_blob_metadata, {"a": "b"}) == (404, "BlobNotFound")
