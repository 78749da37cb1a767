"""Microsoft.KeyVault through azure-mgmt-keyvault: vaults, the permission model's default, the
incremental access policy update with Azure's merge rules and its 1024-entry limit, and soft delete:
deleted vaults that hold their names until they are purged or recovered."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.pipeline import PipelineResponse

from provisioner.emulator.keyvault.deleted import SECONDS_PER_DAY, record_deletion
from provisioner.emulator.server import LocalCloudServer
from tests.emulator.clients import azure_error, resources, stranger
from tests.emulator.helpers_storage import LOCATION, group, keyvault, policy, secret_client, vault, vault_body

GROUP = "kv-mgmt-rg"
OTHER_GROUP = "kv-mgmt-other-rg"


@pytest.fixture(scope="module")
def groups(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    group(local_cloud, operator_credential, GROUP)
    group(local_cloud, operator_credential, OTHER_GROUP)


def _own_port(local_cloud: LocalCloudServer, vault_uri: str) -> bool:
    """A vault is served at the root of its own port (see emulator/vaulthosts.py), not the cloud's."""
    return re.fullmatch(r"https://127\.0\.0\.1:\d+/", vault_uri) is not None and not vault_uri.startswith(
        local_cloud.url + "/"
    )


def _secrets_of(found: Any, object_id: str) -> list[str] | None:
    for entry in found.properties.access_policies:
        if entry.object_id == object_id:
            return list(entry.permissions.secrets or [])
    return None


def test_create_answers_200_registering_dns_then_reads_succeeded(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    first: list[tuple[int, str]] = []

    def record(response: PipelineResponse[Any, Any]) -> None:
        if not first:
            first.append((response.http_response.status_code, response.http_response.read().decode()))

    poller = keyvault(local_cloud, operator_credential).vaults.begin_create_or_update(
        GROUP, "kv-created", vault_body(local_cloud, rbac=False), raw_response_hook=record
    )
    created = poller.result()
    assert first[0][0] == 200
    assert '"provisioningState": "RegisteringDns"' in first[0][1]
    assert created.properties.provisioning_state == "Succeeded"
    assert _own_port(local_cloud, created.properties.vault_uri)
    assert created.properties.tenant_id == local_cloud.cloud.identity.tenant_id
    assert (created.properties.sku.family, created.properties.sku.name) == ("A", "standard")
    assert created.properties.enable_soft_delete is True
    assert created.properties.access_policies == []


@pytest.mark.parametrize("name", ["1vault", "ab", "vault-", "va--ult", "v" * 25, "under_score"])
def test_vault_names_are_checked(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None, name: str
) -> None:
    with pytest.raises(HttpResponseError) as raised:
        vault(local_cloud, operator_credential, GROUP, name, rbac=True)
    assert (raised.value.status_code, raised.value.error.code) == (400, "VaultNameNotValid")
    assert f"The vault name '{name}' is invalid." in raised.value.error.message


def test_vault_names_are_unique_in_the_cloud(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vault(local_cloud, operator_credential, GROUP, "kv-unique", rbac=True)
    with pytest.raises(HttpResponseError) as raised:
        vault(local_cloud, operator_credential, OTHER_GROUP, "KV-Unique", rbac=True)
    assert (raised.value.status_code, raised.value.error.code) == (409, "VaultAlreadyExists")


def test_the_default_permission_model_follows_the_api_version(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    body = vault_body(local_cloud, rbac=True)
    del body["properties"]["enableRbacAuthorization"], body["properties"]["accessPolicies"]
    current = keyvault(local_cloud, operator_credential).vaults.begin_create_or_update(GROUP, "kv-new-api", body)
    assert current.result().properties.enable_rbac_authorization is True

    older = keyvault(local_cloud, operator_credential, api_version="2025-05-01").vaults
    with pytest.raises(HttpResponseError) as raised:
        older.begin_create_or_update(GROUP, "kv-old-api", body)
    assert raised.value.error.message == "The parameter accessPolicies is not specified."
    created = older.begin_create_or_update(
        GROUP, "kv-old-api", body | {"properties": body["properties"] | {"accessPolicies": []}}
    )
    assert created.result().properties.enable_rbac_authorization is False


@pytest.mark.parametrize(
    "change",
    [
        {"sku": {"family": "B", "name": "standard"}},
        {"sku": {"family": "A", "name": "gold"}},
        {"tenantId": "not-a-guid"},
        {"accessPolicies": [{"tenantId": str(uuid.uuid4()), "objectId": "x", "permissions": {"secrets": ["fly"]}}]},
        {"accessPolicies": [{"tenantId": str(uuid.uuid4()), "objectId": "x", "permissions": {"gadgets": ["get"]}}]},
    ],
)
def test_bodies_are_checked(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None, change: dict[str, Any]
) -> None:
    body = vault_body(local_cloud, rbac=False)
    body["properties"] |= change
    with pytest.raises(HttpResponseError) as raised:
        keyvault(local_cloud, operator_credential).vaults.begin_create_or_update(GROUP, "kv-bad-body", body)
    assert (raised.value.status_code, raised.value.error.code) == (400, "BadRequest")
    assert raised.value.error.message.startswith("An invalid value was provided for")


def test_get_update_list_and_delete(local_cloud: LocalCloudServer, operator_credential: Any, groups: None) -> None:
    vaults = keyvault(local_cloud, operator_credential).vaults
    vault(local_cloud, operator_credential, GROUP, "kv-crud", rbac=False)
    patch = {"tags": {"env": "test"}, "properties": {"enableRbacAuthorization": True, "vaultUri": "https://x/"}}
    updated = vaults.update(GROUP, "kv-crud", patch)
    assert updated.tags == {"env": "test"}
    assert updated.properties.enable_rbac_authorization is True
    assert _own_port(local_cloud, updated.properties.vault_uri)
    assert vaults.get(GROUP, "kv-crud").properties.enable_rbac_authorization is True
    assert "kv-crud" in [item.name for item in vaults.list_by_resource_group(GROUP)]
    assert "kv-crud" in [item.name for item in vaults.list_by_subscription()]

    vaults.delete(GROUP, "kv-crud")
    with pytest.raises(ResourceNotFoundError):
        vaults.get(GROUP, "kv-crud")
    vaults.delete(GROUP, "kv-crud")


def test_access_policy_add_merges_remove_subtracts_and_replace_sets(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vaults = keyvault(local_cloud, operator_credential).vaults
    app, other = str(uuid.uuid4()), str(uuid.uuid4())
    vault(
        local_cloud, operator_credential, GROUP, "kv-policies", rbac=False, policies=[policy(local_cloud, app, "get")]
    )

    def change(kind: str, *entries: dict[str, Any]) -> Any:
        return vaults.update_access_policy(
            GROUP, "kv-policies", kind, {"properties": {"accessPolicies": list(entries)}}
        )

    answer = change("add", policy(local_cloud, app, "list", "get"), policy(local_cloud, other, "set"))
    assert answer.id.endswith("/vaults/kv-policies/accessPolicies/")
    assert answer.type == "Microsoft.KeyVault/vaults/accessPolicies"
    found = vaults.get(GROUP, "kv-policies")
    assert (_secrets_of(found, app), _secrets_of(found, other)) == (["get", "list"], ["set"])

    change("remove", policy(local_cloud, app, "get"))
    change("replace", policy(local_cloud, other, "delete", "purge"))
    found = vaults.get(GROUP, "kv-policies")
    assert (_secrets_of(found, app), _secrets_of(found, other)) == (["list"], ["delete", "purge"])

    change("remove", policy(local_cloud, app, "list"))
    assert _secrets_of(vaults.get(GROUP, "kv-policies"), app) is None


def test_a_vault_holds_at_most_1024_access_policies(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vaults = keyvault(local_cloud, operator_credential).vaults
    policies = [policy(local_cloud, str(uuid.uuid4()), "get") for _ in range(1024)]
    vault(local_cloud, operator_credential, GROUP, "kv-full", rbac=False, policies=policies)
    one_more = {"properties": {"accessPolicies": [policy(local_cloud, str(uuid.uuid4()), "get")]}}
    with pytest.raises(HttpResponseError) as raised:
        vaults.update_access_policy(GROUP, "kv-full", "add", one_more)
    assert (raised.value.status_code, raised.value.error.code) == (400, "BadRequest")
    assert "at most 1024 access policies" in raised.value.error.message
    assert len(vaults.get(GROUP, "kv-full").properties.access_policies) == 1024

    existing = {"properties": {"accessPolicies": [policy(local_cloud, policies[0]["objectId"], "list")]}}
    vaults.update_access_policy(GROUP, "kv-full", "add", existing)
    assert len(vaults.get(GROUP, "kv-full").properties.access_policies) == 1024


def _recover_body(local_cloud: LocalCloudServer) -> dict[str, Any]:
    """What `az keyvault recover` sends: the vault's tenant and sku, and the create mode."""
    sku = {"family": "A", "name": "standard"}
    properties = {"tenantId": local_cloud.cloud.identity.tenant_id, "sku": sku, "createMode": "recover"}
    return {"location": LOCATION, "properties": properties}


def test_a_deleted_vault_is_kept_and_holds_its_name(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vaults = keyvault(local_cloud, operator_credential).vaults
    body = vault_body(local_cloud, rbac=True) | {"tags": {"env": "test"}}
    vaults.begin_create_or_update(GROUP, "kv-soft", body).result()
    vaults.delete(GROUP, "kv-soft")

    found = vaults.get_deleted("kv-soft", LOCATION)
    subscription = local_cloud.cloud.identity.subscription_id
    assert (
        found.id == f"/subscriptions/{subscription}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv-soft"
    )
    assert (found.name, found.type) == ("kv-soft", "Microsoft.KeyVault/deletedVaults")
    deleted = found.properties
    assert deleted.vault_id.endswith(f"/resourceGroups/{GROUP}/providers/Microsoft.KeyVault/vaults/kv-soft")
    assert (deleted.location, deleted.tags, deleted.purge_protection_enabled) == (LOCATION, {"env": "test"}, False)
    assert deleted.scheduled_purge_date - deleted.deletion_date == timedelta(days=90)
    assert "kv-soft" in [item.name for item in vaults.list_deleted()]
    assert "kv-soft" not in [item.name for item in vaults.list_by_subscription()]
    for name, location in (("kv-soft", "eastus"), ("kv-never-made", LOCATION)):
        with pytest.raises(ResourceNotFoundError) as missing:
            vaults.get_deleted(name, location)
        assert azure_error(missing)[:2] == (404, "DeletedVaultNotFound")

    for group_name in (GROUP, OTHER_GROUP):
        with pytest.raises(HttpResponseError) as raised:
            vaults.begin_create_or_update(group_name, "KV-Soft", body)
        status, code, message = azure_error(raised)
        assert (status, code) == (409, "ConflictError")
        assert message.startswith("A vault with the same name already exists in deleted state.")


def test_recover_brings_back_the_access_policies_and_secrets(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vaults = keyvault(local_cloud, operator_credential).vaults
    operator = local_cloud.cloud.identity.operator_object_id
    policies = [policy(local_cloud, operator, "get", "set")]
    created = vault(local_cloud, operator_credential, GROUP, "kv-recover", rbac=False, policies=policies)
    secret_client(local_cloud, created.properties.vault_uri, operator_credential).set_secret("kept", "value-1")
    vaults.delete(GROUP, "kv-recover")

    recovered = vaults.begin_create_or_update(GROUP, "kv-recover", _recover_body(local_cloud)).result()
    assert recovered.properties.enable_rbac_authorization is False
    assert [entry.object_id for entry in recovered.properties.access_policies] == [operator]
    client = secret_client(local_cloud, recovered.properties.vault_uri, operator_credential)
    assert client.get_secret("kept").value == "value-1"
    with pytest.raises(ResourceNotFoundError):
        vaults.get_deleted("kv-recover", LOCATION)

    with pytest.raises(HttpResponseError) as raised:
        vaults.begin_create_or_update(GROUP, "kv-recover-none", _recover_body(local_cloud))
    assert azure_error(raised)[:2] == (400, "SoftDeletedVaultDoesNotExist")


def test_purge_is_asynchronous_and_frees_the_name(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vaults = keyvault(local_cloud, operator_credential).vaults
    vault(local_cloud, operator_credential, GROUP, "kv-purged", rbac=True)
    vaults.delete(GROUP, "kv-purged")
    first: list[tuple[int, str]] = []

    def record(response: PipelineResponse[Any, Any]) -> None:
        if not first:
            first.append((response.http_response.status_code, response.http_response.headers.get("Location", "")))

    vaults.begin_purge_deleted("kv-purged", LOCATION, raw_response_hook=record).result()
    assert first[0][0] == 202
    assert "/providers/Microsoft.KeyVault/locations/westus/operationResults/" in first[0][1]
    assert "kv-purged" not in [item.name for item in vaults.list_deleted()]
    assert vault(local_cloud, operator_credential, OTHER_GROUP, "kv-purged", rbac=True).name == "kv-purged"
    with pytest.raises(ResourceNotFoundError) as missing:
        vaults.begin_purge_deleted("kv-purged", LOCATION)
    assert azure_error(missing)[:2] == (404, "DeletedVaultNotFound")


def test_purge_protection_refuses_the_purge(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vaults = keyvault(local_cloud, operator_credential).vaults
    body = vault_body(local_cloud, rbac=True)
    body["properties"]["enablePurgeProtection"] = True
    vaults.begin_create_or_update(GROUP, "kv-protected", body).result()
    vaults.delete(GROUP, "kv-protected")
    with pytest.raises(HttpResponseError) as raised:
        vaults.begin_purge_deleted("kv-protected", LOCATION).result()
    assert azure_error(raised) == (405, "MethodNotAllowed", "Operation 'DeletedVaultPurge' is not allowed.")
    assert vaults.get_deleted("kv-protected", LOCATION).properties.purge_protection_enabled is True


def test_deleted_vaults_need_their_own_actions(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    vault(local_cloud, operator_credential, GROUP, "kv-guarded", rbac=True)
    keyvault(local_cloud, operator_credential).vaults.delete(GROUP, "kv-guarded")
    outsider = keyvault(local_cloud, stranger(local_cloud, str(uuid.uuid4()))).vaults
    with pytest.raises(HttpResponseError) as read:
        outsider.get_deleted("kv-guarded", LOCATION)
    with pytest.raises(HttpResponseError) as purged:
        outsider.begin_purge_deleted("kv-guarded", LOCATION)
    assert "'Microsoft.KeyVault/locations/deletedVaults/read'" in azure_error(read)[2]
    assert "'Microsoft.KeyVault/locations/deletedVaults/purge/action'" in azure_error(purged)[2]
    assert azure_error(purged)[:2] == (403, "AuthorizationFailed")


def test_a_vault_deleted_with_its_group_is_soft_deleted(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    group(local_cloud, operator_credential, "kv-doomed-rg")
    vault(local_cloud, operator_credential, "kv-doomed-rg", "kv-doomed", rbac=True)
    resources(local_cloud, operator_credential).resource_groups.begin_delete("kv-doomed-rg").result()
    found = keyvault(local_cloud, operator_credential).vaults.get_deleted("kv-doomed", LOCATION)
    assert "/resourceGroups/kv-doomed-rg/" in found.properties.vault_id


def test_a_deleted_vault_goes_at_its_scheduled_purge_date(
    local_cloud: LocalCloudServer, operator_credential: Any, groups: None
) -> None:
    subscription = local_cloud.cloud.identity.subscription_id
    vault_id = f"/subscriptions/{subscription}/resourceGroups/{GROUP}/providers/Microsoft.KeyVault/vaults/kv-expired"
    old = {"id": vault_id, "name": "kv-expired", "location": LOCATION, "properties": {"softDeleteRetentionInDays": 7}}
    record_deletion(local_cloud.cloud.store, old, time.time() - 8 * SECONDS_PER_DAY)
    with pytest.raises(ResourceNotFoundError):
        keyvault(local_cloud, operator_credential).vaults.get_deleted("kv-expired", LOCATION)
    assert vault(local_cloud, operator_credential, GROUP, "kv-expired", rbac=True).name == "kv-expired"


def test_vault_lists_page_by_name_as_key_vault_does(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    """Every page that holds vaults links to the next one (its skip token the last name, base64); the
    page after the last vault is empty, without a link (as the recorded Key Vault list answers)."""
    group(local_cloud, operator_credential, "kv-paging-rg")
    for name in ("kv-page-b", "kv-page-a"):
        vault(local_cloud, operator_credential, "kv-paging-rg", name, rbac=True)
    pages = [
        [item.name for item in page]
        for page in keyvault(local_cloud, operator_credential)
        .vaults.list_by_resource_group("kv-paging-rg", top=1)
        .by_page()
    ]
    assert pages == [["kv-page-a"], ["kv-page-b"], []]
