"""Microsoft.Storage through azure-mgmt-storage: accounts, keys, containers, listServiceSas, authorization."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.pipeline import PipelineResponse

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders
from tests.emulator.helpers_storage import (
    STORAGE_ACCOUNT_CONTRIBUTOR,
    account,
    account_key,
    as_vm,
    container,
    group,
    sas_time,
    storage,
    vm_principal,
)

GROUP = "storage-mgmt-rg"
OTHER_GROUP = "storage-mgmt-other-rg"


@pytest.fixture(scope="module")
def groups(local_cloud: LocalCloudServer, operator_credential: Any) -> tuple[str, str]:
    return group(local_cloud, operator_credential, GROUP), group(local_cloud, operator_credential, OTHER_GROUP)


class Responses:
    """Records the status and headers of every response of one SDK call (azure-core's raw_response_hook)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, dict[str, str], str]] = []

    def __call__(self, response: PipelineResponse[Any, Any]) -> None:
        http = response.http_response
        self.seen.append((http.status_code, {k.lower(): v for k, v in http.headers.items()}, http.read().decode()))


def test_create_is_asynchronous_and_answers_the_account_with_its_local_blob_endpoint(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    responses = Responses()
    body = {"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_GRS"}, "tags": {"team": "a"}}
    body |= {"properties": {"isHnsEnabled": True, "allowBlobPublicAccess": False}}
    created = (
        storage(local_cloud, operator_credential)
        .storage_accounts.begin_create(GROUP, "mgmtasync", body, raw_response_hook=responses)
        .result()
    )

    status, headers, text = responses.seen[0]
    assert (status, text) == (202, "")
    assert "/providers/Microsoft.Storage/locations/westus/operationResults/" in headers["location"]
    assert created.provisioning_state == "Succeeded"
    assert created.primary_endpoints.blob == f"{local_cloud.url}/mgmtasync/"
    assert (created.kind, created.sku.name, created.sku.tier) == ("StorageV2", "Standard_GRS", "Standard")
    assert created.is_hns_enabled is True
    assert created.tags == {"team": "a"}
    assert created.access_tier == "Hot"


def test_account_names_are_checked_and_unique_in_the_cloud(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    accounts = storage(local_cloud, operator_credential).storage_accounts
    body = {"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}
    for bad in ("Upper1", "ab", "with-dash", "x" * 25):
        with pytest.raises(HttpResponseError) as raised:
            accounts.begin_create(GROUP, bad, body)
        assert (raised.value.status_code, raised.value.error.code) == (400, "AccountNameInvalid")
        assert f"{bad} is not a valid storage account name" in raised.value.error.message

    account(local_cloud, operator_credential, GROUP, "mgmttaken")
    with pytest.raises(HttpResponseError) as raised:
        accounts.begin_create(OTHER_GROUP, "mgmttaken", body)
    assert (raised.value.status_code, raised.value.error.code) == (409, "StorageAccountInAnotherResourceGroup")

    responses = Responses()
    again = accounts.begin_create(GROUP, "mgmttaken", body | {"tags": {"v": "2"}}, raw_response_hook=responses)
    assert again.result().tags == {"v": "2"}
    assert responses.seen[0][0] == 200


@pytest.mark.parametrize(
    ("change", "parameter"),
    [({"kind": "Blobby"}, "kind"), ({"sku": {"name": "Gold_LRS"}}, "sku.name"), ({"sku": None}, "sku.name")],
)
def test_kind_and_sku_must_be_known(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str], change: Any, parameter: str
) -> None:
    body = {"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}} | change
    with pytest.raises(HttpResponseError) as raised:
        storage(local_cloud, operator_credential).storage_accounts.begin_create(GROUP, "mgmtbadbody", body)
    assert raised.value.error.code == "InvalidValuesForRequestParameters"
    assert raised.value.error.message == f"Values for request parameters are invalid: {parameter}."


def test_get_update_list_and_delete(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    accounts = storage(local_cloud, operator_credential).storage_accounts
    account(local_cloud, operator_credential, GROUP, "mgmtcrud")
    patch = {"tags": {"env": "test"}, "properties": {"allowSharedKeyAccess": False, "provisioningState": "Failed"}}
    updated = accounts.update(GROUP, "mgmtcrud", patch)
    assert updated.tags == {"env": "test"}
    assert updated.allow_shared_key_access is False
    assert updated.provisioning_state == "Succeeded"
    assert accounts.get_properties(GROUP, "mgmtcrud").allow_shared_key_access is False
    assert "mgmtcrud" in [item.name for item in accounts.list_by_resource_group(GROUP)]
    assert "mgmtcrud" in [item.name for item in accounts.list()]

    responses = Responses()
    accounts.delete(GROUP, "mgmtcrud", raw_response_hook=responses)
    accounts.delete(GROUP, "mgmtcrud", raw_response_hook=responses)
    assert [seen[0] for seen in responses.seen] == [200, 204]
    with pytest.raises(ResourceNotFoundError) as raised:
        accounts.get_properties(GROUP, "mgmtcrud")
    assert raised.value.error.code == "ResourceNotFound"


def test_list_keys_answers_two_keys_that_no_read_shows_and_regenerate_replaces_one(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    accounts = storage(local_cloud, operator_credential).storage_accounts
    account(local_cloud, operator_credential, GROUP, "mgmtkeys")
    keys = accounts.list_keys(GROUP, "mgmtkeys").keys_property
    assert [(key.key_name, key.permissions) for key in keys] == [("key1", "FULL"), ("key2", "FULL")]
    values = [str(key.value) for key in keys]
    assert len(set(values)) == 2
    assert all(len(base64.b64decode(value)) == 64 for value in values)
    shown = json.dumps(accounts.get_properties(GROUP, "mgmtkeys").as_dict())
    listed = json.dumps([item.as_dict() for item in accounts.list_by_resource_group(GROUP)])
    assert not any(value in shown or value in listed for value in values)

    regenerated = accounts.regenerate_key(GROUP, "mgmtkeys", {"keyName": "key1"}).keys_property
    assert regenerated[0].value != values[0]
    assert regenerated[1].value == values[1]
    with pytest.raises(HttpResponseError) as raised:
        accounts.regenerate_key(GROUP, "mgmtkeys", {"keyName": "key3"})
    assert raised.value.error.code == "InvalidValuesForRequestParameters"


def test_containers_are_created_read_listed_and_deleted(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    containers = storage(local_cloud, operator_credential).blob_containers
    account(local_cloud, operator_credential, GROUP, "mgmtcont")
    responses = Responses()
    created = containers.create(GROUP, "mgmtcont", "docs", {}, raw_response_hook=responses)
    containers.create(GROUP, "mgmtcont", "docs", {"properties": {"metadata": {"a": "b"}}}, raw_response_hook=responses)
    assert [seen[0] for seen in responses.seen] == [201, 200]
    assert created.id.endswith("/storageAccounts/mgmtcont/blobServices/default/containers/docs")
    fetched = containers.get(GROUP, "mgmtcont", "docs")
    assert (fetched.public_access, fetched.metadata) == ("None", {"a": "b"})
    assert [item.name for item in containers.list(GROUP, "mgmtcont")] == ["docs"]

    containers.delete(GROUP, "mgmtcont", "docs")
    with pytest.raises(ResourceNotFoundError) as raised:
        containers.get(GROUP, "mgmtcont", "docs")
    assert raised.value.error.code == "ContainerNotFound"
    with pytest.raises(ResourceNotFoundError) as missing_account:
        containers.get(GROUP, "nosuchaccount", "docs")
    assert missing_account.value.error.code == "ResourceNotFound"


@pytest.mark.parametrize("name", ["ab", "Upper", "double--dash", "-lead", "x" * 64])
def test_container_names_are_checked(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str], name: str
) -> None:
    account(local_cloud, operator_credential, GROUP, "mgmtnames")
    with pytest.raises(HttpResponseError) as raised:
        container(local_cloud, operator_credential, GROUP, "mgmtnames", name)
    assert (raised.value.status_code, raised.value.error.code) == (400, "ContainerOperationFailure")


def test_public_containers_need_an_account_that_allows_public_access(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    containers = storage(local_cloud, operator_credential).blob_containers
    account(local_cloud, operator_credential, GROUP, "mgmtprivate")
    with pytest.raises(HttpResponseError) as raised:
        containers.create(GROUP, "mgmtprivate", "site", {"properties": {"publicAccess": "Blob"}})
    assert (raised.value.status_code, raised.value.error.code) == (409, "PublicAccessNotPermitted")

    account(local_cloud, operator_credential, GROUP, "mgmtpublic", allowBlobPublicAccess=True)
    public = containers.create(GROUP, "mgmtpublic", "site", {"properties": {"publicAccess": "Blob"}})
    assert public.public_access == "Blob"


def test_list_service_sas_signs_a_2015_04_05_token_for_the_body(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    account(local_cloud, operator_credential, GROUP, "mgmtsas")
    body = {
        "canonicalizedResource": "/blob/mgmtsas/music",
        "signedResource": "c",
        "signedPermission": "rl",
        "signedProtocol": "https",
        "signedExpiry": "2030-05-24T11:32:48.8457197Z",
    }
    token = storage(local_cloud, operator_credential).storage_accounts.list_service_sas(GROUP, "mgmtsas", body)
    fields = parse_qs(token.service_sas_token)
    assert token.service_sas_token.startswith("sv=2015-04-05&sr=c&se=2030-05-24T11%3A32%3A48Z&sp=rl&spr=https&sig=")
    assert {name: value[0] for name, value in fields.items() if name != "sig"} == {
        "sv": "2015-04-05",
        "sr": "c",
        "se": "2030-05-24T11:32:48Z",
        "sp": "rl",
        "spr": "https",
    }
    assert len(base64.b64decode(fields["sig"][0])) == 32


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"canonicalizedResource": "/blob/otheraccount/music"}, "canonicalizedResource"),
        ({"canonicalizedResource": "/blob/mgmtsasbad/music/a.txt"}, "canonicalizedResource"),
        ({"signedResource": "s"}, "signedResource"),
        ({"signedPermission": "rz"}, "signedPermission"),
        ({"signedExpiry": "tomorrow"}, "signedExpiry"),
        ({"signedProtocol": "http"}, "signedProtocol"),
        ({"keyToSign": "key9"}, "keyToSign"),
    ],
)
def test_list_service_sas_checks_its_body(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str], change: Any, parameter: str
) -> None:
    account(local_cloud, operator_credential, GROUP, "mgmtsasbad")
    body = {"canonicalizedResource": "/blob/mgmtsasbad/music", "signedResource": "c", "signedPermission": "r"}
    body |= {"signedExpiry": sas_time(timedelta(hours=1))} | change
    with pytest.raises(HttpResponseError) as raised:
        storage(local_cloud, operator_credential).storage_accounts.list_service_sas(GROUP, "mgmtsasbad", body)
    assert raised.value.status_code == 400
    assert raised.value.error.message == f"Values for request parameters are invalid: {parameter}."


def test_keys_and_sas_need_their_actions_a_reader_lacks(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: tuple[str, str]
) -> None:
    vm_id, principal = vm_principal(local_cloud, operator_credential, "storage-mgmt-vm-rg", "vm-keys")
    account(local_cloud, operator_credential, GROUP, "mgmtauthz")
    account_id = storage(local_cloud, operator_credential).storage_accounts.get_properties(GROUP, "mgmtauthz").id
    target = {"arm_url": local_cloud.url, "subscription": local_cloud.cloud.identity.subscription_id}
    target |= {"group": GROUP, "account": "mgmtauthz"}
    sas_body = {"canonicalizedResource": "/blob/mgmtauthz/docs", "signedResource": "c", "signedPermission": "r"}
    steps = [
        target | {"op": "list_keys"},
        target | {"op": "list_service_sas", "body": sas_body | {"signedExpiry": sas_time(timedelta(hours=1))}},
    ]

    builders.assign(local_cloud, operator_credential, groups[0], builders.READER, principal)
    refused = as_vm(local_cloud, vm_id, *steps)
    assert refused == [{"status": 403, "code": "AuthorizationFailed"}] * 2

    builders.assign(local_cloud, operator_credential, account_id, STORAGE_ACCOUNT_CONTRIBUTOR, principal)
    allowed = as_vm(local_cloud, vm_id, *steps)
    assert allowed[0] == {"ok": ["key1", "key2"]}
    assert allowed[1]["ok"].startswith("sv=2015-04-05&sr=c&")
    assert account_key(local_cloud, operator_credential, GROUP, "mgmtauthz") not in json.dumps(
        local_cloud.cloud.log.summary(0)
    )
