"""The blob data plane through azure-storage-blob: Shared Key, service SAS and bearer tokens (the operator's
and a VM's managed identity), with Storage's error codes."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import (
    BlobSasPermissions,
    ContainerSasPermissions,
    generate_blob_sas,
    generate_container_sas,
)
from azure.storage.blob._shared.authentication import _storage_header_sort

from provisioner.emulator.server import LocalCloudServer
from provisioner.emulator.storage.sharedkey import collation_key
from tests.emulator import builders
from tests.emulator.helpers_storage import (
    BLOB_DATA_CONTRIBUTOR,
    BLOB_DATA_READER,
    account,
    account_key,
    as_vm,
    blob_service,
    blob_url,
    container,
    group,
    sas_time,
    shared_key,
    storage,
    vm_principal,
)
from tests.emulator.helpers_web import https

GROUP = "blob-rg"
ACCOUNT = "blobdata"


@pytest.fixture(scope="module")
def blob_group(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    return group(local_cloud, operator_credential, GROUP)


@pytest.fixture(scope="module")
def key(local_cloud: LocalCloudServer, operator_credential: Any, blob_group: str) -> str:
    """An account with containers `docs` and `other` in it; its first key."""
    account(local_cloud, operator_credential, GROUP, ACCOUNT)
    for name in ("docs", "other"):
        container(local_cloud, operator_credential, GROUP, ACCOUNT, name)
    return account_key(local_cloud, operator_credential, GROUP, ACCOUNT)


def _sas(local_cloud: LocalCloudServer, operator_credential: Any, **body: Any) -> str:
    request = {"canonicalizedResource": f"/blob/{ACCOUNT}/docs", "signedResource": "c", "signedPermission": "r"}
    request |= {"signedExpiry": sas_time(timedelta(hours=1))} | body
    accounts = storage(local_cloud, operator_credential).storage_accounts
    return str(accounts.list_service_sas(GROUP, ACCOUNT, request).service_sas_token)


def _refusal(raised: pytest.ExceptionInfo[HttpResponseError]) -> tuple[int | None, str | None]:
    return raised.value.status_code, getattr(raised.value, "error_code", None)


def test_shared_key_puts_gets_lists_and_deletes_blobs(local_cloud: LocalCloudServer, key: str) -> None:
    docs = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key)).get_container_client("docs")
    docs.upload_blob("notes/a b.txt", b"hello world", metadata={"owner": "ops", "kind_of": "note"})

    blob = docs.get_blob_client("notes/a b.txt")
    assert blob.download_blob().readall() == b"hello world"
    properties = blob.get_blob_properties()
    assert (properties.size, properties.blob_type, properties.metadata) == (
        11,
        "BlockBlob",
        {"owner": "ops", "kind_of": "note"},
    )
    assert properties.content_settings.content_md5 is not None
    listed = list(docs.list_blobs(include=["metadata"]))
    assert [(item.name, item.size, item.metadata) for item in listed] == [
        ("notes/a b.txt", 11, {"owner": "ops", "kind_of": "note"})
    ]
    assert docs.get_container_properties().name == "docs"

    blob.delete_blob()
    with pytest.raises(ResourceNotFoundError) as raised:
        blob.download_blob()
    assert _refusal(raised) == (404, "BlobNotFound")
    assert "<Code>BlobNotFound</Code>" in raised.value.response.text()


def test_upload_refuses_to_overwrite_unless_asked(local_cloud: LocalCloudServer, key: str) -> None:
    blob = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key)).get_blob_client("docs", "once.txt")
    blob.upload_blob(b"one")
    with pytest.raises(ResourceExistsError) as raised:
        blob.upload_blob(b"two")
    assert _refusal(raised) == (409, "BlobAlreadyExists")
    blob.upload_blob(b"two", overwrite=True)
    assert blob.download_blob().readall() == b"two"


def test_downloads_honour_ranges_and_empty_blobs(local_cloud: LocalCloudServer, key: str) -> None:
    docs = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key)).get_container_client("docs")
    docs.upload_blob("range.txt", b"0123456789", overwrite=True)
    docs.upload_blob("empty.txt", b"", overwrite=True)
    assert docs.download_blob("range.txt", offset=2, length=3).readall() == b"234"
    assert docs.download_blob("range.txt", offset=7).readall() == b"789"
    assert docs.download_blob("empty.txt").readall() == b""
    with pytest.raises(HttpResponseError) as raised:
        docs.download_blob("range.txt", offset=20, length=2)
    assert _refusal(raised) == (416, "InvalidRange")


def test_listing_pages_with_next_marker_and_filters_by_prefix(local_cloud: LocalCloudServer, key: str) -> None:
    client = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key))
    client.create_container("paged")
    paged = client.get_container_client("paged")
    names = ["b/2", "a/1", "b/1", "c", "a/2"]
    for name in names:
        paged.upload_blob(name, name.encode())
    pages = [[blob.name for blob in page] for page in paged.list_blobs(results_per_page=2).by_page()]
    assert pages == [["a/1", "a/2"], ["b/1", "b/2"], ["c"]]
    assert [blob.name for blob in paged.list_blobs(name_starts_with="b/")] == ["b/1", "b/2"]


def test_containers_through_the_data_plane(local_cloud: LocalCloudServer, operator_credential: Any, key: str) -> None:
    client = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key))
    client.create_container("made-here", metadata={"team": "a"})
    with pytest.raises(ResourceExistsError) as exists:
        client.create_container("made-here")
    assert _refusal(exists) == (409, "ContainerAlreadyExists")
    seen_by_arm = storage(local_cloud, operator_credential).blob_containers.get(GROUP, ACCOUNT, "made-here")
    assert seen_by_arm.metadata == {"team": "a"}

    with pytest.raises(HttpResponseError) as invalid:
        client.create_container("Bad_Name")
    assert _refusal(invalid) == (400, "InvalidResourceName")

    client.get_container_client("made-here").upload_blob("x", b"x")
    client.delete_container("made-here")
    with pytest.raises(ResourceNotFoundError) as gone:
        client.get_container_client("made-here").get_container_properties()
    assert _refusal(gone) == (404, "ContainerNotFound")
    client.create_container("made-here")
    with pytest.raises(ResourceNotFoundError) as blob_gone:
        client.get_container_client("made-here").download_blob("x")
    assert _refusal(blob_gone) == (404, "BlobNotFound")


def test_a_wrong_shared_key_is_refused_with_the_string_to_sign(local_cloud: LocalCloudServer, key: str) -> None:
    wrong = "A" * 86 + "=="
    client = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, wrong))
    with pytest.raises(HttpResponseError) as raised:
        client.get_container_client("docs").upload_blob("nope.txt", b"x")
    assert _refusal(raised) == (403, "AuthenticationFailed")
    detail = raised.value.response.text()
    assert "<AuthenticationErrorDetail>The MAC signature found in the HTTP request" in detail
    assert f"/{ACCOUNT}/{ACCOUNT}/docs/nope.txt" in detail


def test_header_order_matches_the_services_collation() -> None:
    names = ["x-ms-meta-a-b", "x-ms-meta-ab", "x-ms-meta-a_b", "x-ms-meta-a", "x-ms-version", "x-ms-meta-a1", "x-ms-m"]
    names += ["x-ms-date", "x-ms-blob-type", "x-ms-blob-content-type", "x-ms-meta-'q", "x-ms-meta-q", "x-ms-meta-"]
    shuffled = random.Random(7).sample(names, len(names))
    expected = [name for name, _ in _storage_header_sort([(name, "") for name in shuffled])]
    assert sorted(shuffled, key=collation_key) == expected


def test_list_service_sas_token_reads_and_lists_but_cannot_write(
    local_cloud: LocalCloudServer, operator_credential: Any, key: str
) -> None:
    blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key)).get_container_client("docs").upload_blob(
        "sas.txt", b"via sas", overwrite=True
    )
    token = _sas(local_cloud, operator_credential, signedPermission="rl", signedProtocol="https")
    docs = blob_service(local_cloud, ACCOUNT, token).get_container_client("docs")
    assert docs.download_blob("sas.txt").readall() == b"via sas"
    assert "sas.txt" in [blob.name for blob in docs.list_blobs()]
    with pytest.raises(HttpResponseError) as write:
        docs.upload_blob("sas-write.txt", b"x")
    assert _refusal(write) == (403, "AuthorizationPermissionMismatch")
    with pytest.raises(HttpResponseError) as properties:
        docs.get_container_properties()
    assert _refusal(properties) == (403, "AuthorizationFailure")
    with pytest.raises(HttpResponseError) as elsewhere:
        blob_service(local_cloud, ACCOUNT, token).get_blob_client("other", "sas.txt").download_blob()
    assert _refusal(elsewhere) == (403, "AuthenticationFailed")


def test_a_sas_past_its_expiry_or_before_its_start_is_refused(
    local_cloud: LocalCloudServer, operator_credential: Any, key: str
) -> None:
    expired = _sas(local_cloud, operator_credential, signedExpiry=sas_time(timedelta(minutes=-5)))
    early = _sas(local_cloud, operator_credential, signedStart=sas_time(timedelta(hours=1)))
    for token in (expired, early):
        with pytest.raises(HttpResponseError) as raised:
            blob_service(local_cloud, ACCOUNT, token).get_container_client("docs").download_blob("sas.txt")
        assert _refusal(raised) == (403, "AuthenticationFailed")
        assert "Signature not valid in the specified time frame" in raised.value.response.text()


def test_a_tampered_sas_is_refused(local_cloud: LocalCloudServer, operator_credential: Any, key: str) -> None:
    token = _sas(local_cloud, operator_credential)
    for forged in (token.replace("sp=r", "sp=rw"), token[:-8] + "AAAA%3D"):
        with pytest.raises(HttpResponseError) as raised:
            blob_service(local_cloud, ACCOUNT, forged).get_blob_client("docs", "sas.txt").download_blob()
        assert _refusal(raised) == (403, "AuthenticationFailed")
        assert "Signature did not match. String to sign used was" in raised.value.response.text()


def test_sas_made_by_the_sdk_from_an_account_key_validates(local_cloud: LocalCloudServer, key: str) -> None:
    expiry = sas_time(timedelta(hours=1))
    writer = generate_container_sas(ACCOUNT, "docs", key, permission=ContainerSasPermissions(write=True), expiry=expiry)
    blob_service(local_cloud, ACCOUNT, writer).get_blob_client("docs", "sdk.txt").upload_blob(b"sdk", overwrite=True)
    reader = generate_blob_sas(
        ACCOUNT, "docs", "sdk.txt", account_key=key, permission=BlobSasPermissions(read=True), expiry=expiry
    )
    client = blob_service(local_cloud, ACCOUNT, reader)
    assert client.get_blob_client("docs", "sdk.txt").download_blob().readall() == b"sdk"

    with pytest.raises(HttpResponseError) as other_blob:
        client.get_blob_client("docs", "sas.txt").download_blob()
    assert _refusal(other_blob) == (403, "AuthenticationFailed")
    with pytest.raises(HttpResponseError) as listing:
        list(client.get_container_client("docs").list_blobs())
    assert _refusal(listing) == (403, "AuthorizationResourceTypeMismatch")
    with pytest.raises(HttpResponseError) as deleting:
        client.get_blob_client("docs", "sdk.txt").delete_blob()
    assert _refusal(deleting) == (403, "AuthorizationPermissionMismatch")


def test_regenerating_a_key_invalidates_the_sas_it_signed(
    local_cloud: LocalCloudServer, operator_credential: Any, blob_group: str
) -> None:
    account(local_cloud, operator_credential, GROUP, "blobrotate")
    container(local_cloud, operator_credential, GROUP, "blobrotate", "docs")
    accounts = storage(local_cloud, operator_credential).storage_accounts
    body = {"canonicalizedResource": "/blob/blobrotate/docs", "signedResource": "c", "signedPermission": "l"}
    body |= {"signedExpiry": sas_time(timedelta(hours=1)), "keyToSign": "key2"}
    token = accounts.list_service_sas(GROUP, "blobrotate", body).service_sas_token
    docs = blob_service(local_cloud, "blobrotate", token).get_container_client("docs")
    assert list(docs.list_blobs()) == []
    accounts.regenerate_key(GROUP, "blobrotate", {"keyName": "key2"})
    with pytest.raises(HttpResponseError) as raised:
        list(docs.list_blobs())
    assert _refusal(raised) == (403, "AuthenticationFailed")


def test_an_account_without_shared_key_access_refuses_keys_and_sas(
    local_cloud: LocalCloudServer, operator_credential: Any, blob_group: str
) -> None:
    account(local_cloud, operator_credential, GROUP, "blobnokeys", allowSharedKeyAccess=False)
    container(local_cloud, operator_credential, GROUP, "blobnokeys", "docs")
    key = account_key(local_cloud, operator_credential, GROUP, "blobnokeys")
    sas = generate_container_sas(
        "blobnokeys", "docs", key, permission=ContainerSasPermissions(list=True), expiry=sas_time(timedelta(hours=1))
    )
    for credential in (shared_key("blobnokeys", key), sas):
        with pytest.raises(HttpResponseError) as raised:
            list(blob_service(local_cloud, "blobnokeys", credential).get_container_client("docs").list_blobs())
        assert _refusal(raised) == (403, "KeyBasedAuthenticationNotPermitted")


def test_an_owner_without_a_data_role_cannot_read_blobs(
    local_cloud: LocalCloudServer, operator_credential: Any, key: str
) -> None:
    client = blob_service(local_cloud, ACCOUNT, operator_credential)
    with pytest.raises(HttpResponseError) as raised:
        client.get_blob_client("docs", "sas.txt").download_blob()
    assert _refusal(raised) == (403, "AuthorizationPermissionMismatch")
    assert client.get_container_client("docs").get_container_properties().name == "docs"


def test_a_request_without_credentials_gets_a_bearer_challenge(local_cloud: LocalCloudServer, key: str) -> None:
    url = f"{blob_url(local_cloud, ACCOUNT)}docs/sas.txt"
    with https(local_cloud) as http:
        answer = http.get(url, headers={"x-ms-version": "2025-11-05"})
    assert answer.status_code == 401
    assert answer.headers["x-ms-error-code"] == "NoAuthenticationInformation"
    tenant = local_cloud.cloud.identity.tenant_id
    assert answer.headers["www-authenticate"] == (
        f"Bearer authorization_uri={local_cloud.url}/{tenant}/oauth2/authorize resource_id=https://storage.azure.com"
    )
    assert answer.text.startswith('<?xml version="1.0" encoding="utf-8"?><Error><Code>NoAuthenticationInformation')


class FirstTokenForTheWrongAudience:
    """Presents an ARM token first, then a storage token: drives the SDK through Storage's bearer challenge."""

    def __init__(self, local_cloud: LocalCloudServer) -> None:
        self.cloud = local_cloud.cloud
        self.calls: list[tuple[tuple[str, ...], str | None]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append((scopes, kwargs.get("tenant_id")))
        audience = "https://management.azure.com/" if len(self.calls) == 1 else "https://storage.azure.com"
        identity = self.cloud.identity
        issued = self.cloud.tokens.issue(
            audience=audience, object_id=identity.operator_object_id, app_id=identity.operator_client_id
        )
        return AccessToken(issued.token, issued.expires_on)


def test_the_sdk_answers_the_bearer_challenge_with_a_token_for_its_tenant(
    local_cloud: LocalCloudServer, key: str
) -> None:
    credential = FirstTokenForTheWrongAudience(local_cloud)
    with pytest.raises(HttpResponseError) as raised:
        blob_service(local_cloud, ACCOUNT, credential).get_blob_client("docs", "any.txt").download_blob()
    assert _refusal(raised) == (403, "AuthorizationPermissionMismatch")
    scope = ("https://storage.azure.com/.default",)
    assert credential.calls == [(scope, None), (scope, local_cloud.cloud.identity.tenant_id)]


def test_blob_paths_only_take_storage_account_names(local_cloud: LocalCloudServer, key: str) -> None:
    subscription = local_cloud.cloud.identity.subscription_id
    with https(local_cloud) as http:
        arm = http.get(
            f"{local_cloud.url}/subscriptions/{subscription}/providers/Microsoft.Nope/x?api-version=2024-01-01"
        )
        nobody = http.get(f"{local_cloud.url}/nosuchaccount/docs?restype=container")
    assert (arm.status_code, arm.json()["error"]["code"]) == (404, "InvalidResourceType")
    assert (nobody.status_code, nobody.headers["x-ms-error-code"]) == (404, "ResourceNotFound")


def test_blob_data_reader_reads_and_lists_but_cannot_write_and_no_role_means_no_read(
    local_cloud: LocalCloudServer, operator_credential: Any, key: str
) -> None:
    vm_id, principal = vm_principal(local_cloud, operator_credential, "blob-vm-rg", "vm-blob-reader")
    docs = storage(local_cloud, operator_credential).blob_containers.get(GROUP, ACCOUNT, "docs")
    operator = blob_service(local_cloud, ACCOUNT, shared_key(ACCOUNT, key))
    operator.get_container_client("docs").upload_blob("reader.txt", b"for readers", overwrite=True)
    operator.get_container_client("other").upload_blob("secret.txt", b"not yours", overwrite=True)
    target = {"account_url": blob_url(local_cloud, ACCOUNT)}
    steps = [
        target | {"op": "read_blob", "container": "docs", "blob": "reader.txt"},
        target | {"op": "list_blobs", "container": "docs"},
        target | {"op": "write_blob", "container": "docs", "blob": "vm.txt", "data": "from the vm"},
        target | {"op": "read_blob", "container": "other", "blob": "secret.txt"},
    ]
    denied = {"status": 403, "code": "AuthorizationPermissionMismatch"}
    assert as_vm(local_cloud, vm_id, *steps) == [denied] * 4

    builders.assign(local_cloud, operator_credential, docs.id, BLOB_DATA_READER, principal)
    read, listed, write, other = as_vm(local_cloud, vm_id, *steps)
    assert read == {"ok": "for readers"}
    assert "reader.txt" in listed["ok"]
    assert write == denied
    assert other == denied


def test_blob_data_contributor_on_the_group_writes_in_every_container(
    local_cloud: LocalCloudServer, operator_credential: Any, key: str
) -> None:
    vm_id, principal = vm_principal(local_cloud, operator_credential, "blob-writer-vm-rg", "vm-blob-writer")
    group_id = storage(local_cloud, operator_credential).storage_accounts.get_properties(GROUP, ACCOUNT).id
    builders.assign(
        local_cloud, operator_credential, group_id.split("/providers/")[0], BLOB_DATA_CONTRIBUTOR, principal
    )
    target = {"account_url": blob_url(local_cloud, ACCOUNT), "blob": "written.txt", "data": "by the vm"}
    outcomes = as_vm(
        local_cloud,
        vm_id,
        target | {"op": "write_blob", "container": "docs"},
        target | {"op": "write_blob", "container": "other"},
        target | {"op": "read_blob", "container": "other"},
    )
    assert outcomes == [{"ok": True}, {"ok": True}, {"ok": "by the vm"}]


def test_deleting_an_account_deletes_its_blobs(
    local_cloud: LocalCloudServer, operator_credential: Any, blob_group: str
) -> None:
    account(local_cloud, operator_credential, GROUP, "blobgone")
    container(local_cloud, operator_credential, GROUP, "blobgone", "docs")
    key = account_key(local_cloud, operator_credential, GROUP, "blobgone")
    blob_service(local_cloud, "blobgone", shared_key("blobgone", key)).get_container_client("docs").upload_blob(
        "kept.txt", b"x"
    )
    storage(local_cloud, operator_credential).storage_accounts.delete(GROUP, "blobgone")
    with pytest.raises(ResourceNotFoundError) as no_account:
        blob_service(local_cloud, "blobgone", shared_key("blobgone", key)).get_container_client("docs").download_blob(
            "kept.txt"
        )
    assert _refusal(no_account) == (404, "ResourceNotFound")

    account(local_cloud, operator_credential, GROUP, "blobgone")
    container(local_cloud, operator_credential, GROUP, "blobgone", "docs")
    key = account_key(local_cloud, operator_credential, GROUP, "blobgone")
    docs = blob_service(local_cloud, "blobgone", shared_key("blobgone", key)).get_container_client("docs")
    assert list(docs.list_blobs()) == []
