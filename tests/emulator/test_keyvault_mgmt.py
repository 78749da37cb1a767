"""Microsoft.KeyVault through azure-mgmt-keyvault: vaults, the permission model's default, and the
incremental access policy update with Azure's merge rules and its 1024-entry limit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.pipeline import PipelineResponse

from provisioner.emulator.server import LocalCloudServer
from tests.emulator.helpers_storage import group, keyvault, policy, vault, vault_body

GROUP = "kv-mgmt-rg"
OTHER_GROUP = "kv-mgmt-other-rg"


@pytest.fixture(scope="module")
def groups(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    group(local_cloud, operator_credential, GROUP)
    group(local_cloud, operator_credential, OTHER_GROUP)


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
    assert created.properties.vault_uri == f"{local_cloud.url}/_vaults/kv-created/"
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
    assert updated.properties.vault_uri == f"{local_cloud.url}/_vaults/kv-crud/"
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
