"""The Key Vault secrets data plane through azure-keyvault-secrets' SecretClient: the challenge flow,
secrets and versions, soft delete, and access decided by access policies or (in RBAC mode) by roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.secrets import KeyVaultSecretIdentifier

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients
from tests.emulator.helpers_storage import (
    SECRETS_OFFICER,
    SECRETS_USER,
    as_vm,
    group,
    keyvault,
    policy,
    secret_client,
    vault,
    vm_principal,
)
from tests.emulator.helpers_web import https

GROUP = "kv-secrets-rg"
ALL = ("get", "list", "set", "delete", "purge")


@pytest.fixture(scope="module")
def group_id(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    return group(local_cloud, operator_credential, GROUP)


def _operator(local_cloud: LocalCloudServer) -> str:
    return local_cloud.cloud.identity.operator_object_id


def _vault_url(local_cloud: LocalCloudServer, name: str) -> str:
    return f"{local_cloud.url}/_vaults/{name}/"


def _policy_vault(local_cloud: LocalCloudServer, credential: Any, name: str, *secrets: str) -> Any:
    policies = [policy(local_cloud, _operator(local_cloud), *secrets)]
    return vault(local_cloud, credential, GROUP, name, rbac=False, policies=policies)


def _error(raised: pytest.ExceptionInfo[HttpResponseError]) -> tuple[int | None, str, str]:
    error = raised.value.response.json()["error"]
    return raised.value.status_code, error["code"], (error.get("innererror") or {}).get("code", "")


def test_the_first_request_is_challenged_then_secrets_are_set_and_read(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-challenge", *ALL)
    with https(local_cloud) as http:
        challenged = http.get(f"{created.properties.vault_uri}secrets?api-version=2025-07-01")
    tenant = local_cloud.cloud.identity.tenant_id
    assert challenged.status_code == 401
    assert challenged.headers["www-authenticate"] == (
        f'Bearer authorization="{local_cloud.url}/{tenant}", resource="https://vault.azure.net"'
    )
    assert challenged.json() == {
        "error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}
    }

    client = secret_client(local_cloud, created.properties.vault_uri, operator_credential)
    stored = client.set_secret("db-password", "s3cret!", content_type="text/plain", tags={"app": "a"})
    fetched = client.get_secret("db-password")
    assert (fetched.value, fetched.properties.content_type, fetched.properties.tags) == (
        "s3cret!",
        "text/plain",
        {"app": "a"},
    )
    parsed = KeyVaultSecretIdentifier(stored.id)
    assert (parsed.name, parsed.version) == ("db-password", stored.properties.version)
    assert stored.properties.recovery_level == "Recoverable+Purgeable"
    assert "s3cret!" not in str(local_cloud.cloud.log.summary(0))


def test_versions_are_kept_and_lists_page(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-versions", *ALL)
    client = secret_client(local_cloud, created.properties.vault_uri, operator_credential)
    versions = [client.set_secret("Rotating", f"value-{n}").properties.version for n in range(3)]
    for n in range(4):
        client.set_secret(f"other-{n}", "x")

    assert client.get_secret("rotating").value == "value-2"
    assert client.get_secret("ROTATING", versions[0]).value == "value-0"
    assert client.get_secret("rotating").name == "Rotating"
    assert sorted(str(item.version) for item in client.list_properties_of_secret_versions("rotating")) == sorted(
        versions
    )
    pages = [[item.name for item in page] for page in client.list_properties_of_secrets(max_page_size=2).by_page()]
    assert pages == [["other-0", "other-1"], ["other-2", "other-3"], ["Rotating"]]
    with pytest.raises(ResourceNotFoundError) as raised:
        client.get_secret("rotating", "0" * 32)
    assert _error(raised)[:2] == (404, "SecretNotFound")


def test_a_disabled_secret_cannot_be_read_and_expiry_is_kept(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-attributes", *ALL)
    client = secret_client(local_cloud, created.properties.vault_uri, operator_credential)
    expires = datetime(2031, 1, 2, tzinfo=UTC)
    kept = client.set_secret("dated", "x", expires_on=expires)
    assert (kept.properties.expires_on, kept.properties.enabled) == (expires, True)
    client.set_secret("off", "x", enabled=False)
    with pytest.raises(HttpResponseError) as raised:
        client.get_secret("off")
    assert _error(raised) == (403, "Forbidden", "SecretDisabled")


def test_delete_is_soft_until_the_secret_is_purged(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-soft", *ALL)
    client = secret_client(local_cloud, created.properties.vault_uri, operator_credential)
    client.set_secret("temp", "one")
    deleted = client.begin_delete_secret("temp").result()
    assert deleted.recovery_id == f"{created.properties.vault_uri}deletedsecrets/temp"
    assert client.get_deleted_secret("temp").name == "temp"
    with pytest.raises(ResourceNotFoundError):
        client.get_secret("temp")
    with pytest.raises(ResourceExistsError) as raised:
        client.set_secret("temp", "two")
    assert _error(raised) == (409, "Conflict", "ObjectIsDeletedButRecoverable")

    client.purge_deleted_secret("temp")
    assert client.set_secret("temp", "two").value == "two"


def test_access_policies_decide_when_rbac_is_off(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-policy-only", "get", "list")
    client = secret_client(local_cloud, created.properties.vault_uri, operator_credential)
    with pytest.raises(HttpResponseError) as raised:
        client.set_secret("refused", "do-not-echo-me")
    assert _error(raised) == (403, "Forbidden", "AccessDenied")
    identity = local_cloud.cloud.identity
    message = raised.value.response.json()["error"]["message"]
    assert message.startswith(
        f"The user, group or application 'appid={identity.operator_client_id};oid={identity.operator_object_id};"
        f"iss=https://sts.windows.net/{identity.tenant_id}/' does not have secrets set permission on key vault "
        "'kv-policy-only;location=westus'."
    )
    assert "do-not-echo-me" not in raised.value.response.text()
    assert list(client.list_properties_of_secrets()) == []


def test_a_vault_in_rbac_mode_ignores_its_access_policies(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-rbac", *ALL)
    client = secret_client(local_cloud, created.properties.vault_uri, operator_credential)
    client.set_secret("conn", "server=db")
    keyvault(local_cloud, operator_credential).vaults.update(
        GROUP, "kv-rbac", {"properties": {"enableRbacAuthorization": True}}
    )
    with pytest.raises(HttpResponseError) as raised:
        client.get_secret("conn")
    assert _error(raised) == (403, "Forbidden", "ForbiddenByRbac")
    assert (
        "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'"
        in raised.value.response.json()["error"]["message"]
    )

    builders.assign(local_cloud, operator_credential, created.id, SECRETS_USER, _operator(local_cloud))
    assert client.get_secret("conn").value == "server=db"
    with pytest.raises(HttpResponseError) as refused:
        client.set_secret("conn", "changed")
    assert _error(refused) == (403, "Forbidden", "ForbiddenByRbac")


def test_a_token_for_another_audience_is_answered_with_the_challenge(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-audience", *ALL)
    identity = local_cloud.cloud.identity
    arm_token = local_cloud.cloud.tokens.issue(
        audience="https://management.azure.com/",
        object_id=identity.operator_object_id,
        app_id=identity.operator_client_id,
    )
    client = secret_client(local_cloud, created.properties.vault_uri, clients.StaticToken(arm_token.token))
    with pytest.raises(HttpResponseError) as raised:
        client.get_secret("anything")
    assert raised.value.status_code == 401
    assert "wrong audience" in raised.value.response.json()["error"]["message"]


def test_names_are_checked_and_unknown_vaults_answer_404(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-names", *ALL)
    with pytest.raises(HttpResponseError) as raised:
        secret_client(local_cloud, created.properties.vault_uri, operator_credential).set_secret("bad_name", "x")
    assert _error(raised)[:2] == (400, "BadParameter")
    with pytest.raises(ResourceNotFoundError) as missing:
        secret_client(local_cloud, _vault_url(local_cloud, "kv-nowhere"), operator_credential).get_secret("x")
    assert _error(missing)[:2] == (404, "VaultNotFound")


def test_a_deleted_vault_keeps_its_secrets_until_it_is_purged(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    created = _policy_vault(local_cloud, operator_credential, "kv-dropped", *ALL)
    secret_client(local_cloud, created.properties.vault_uri, operator_credential).set_secret("old", "x")
    vaults = keyvault(local_cloud, operator_credential).vaults
    vaults.delete(GROUP, "kv-dropped")
    with pytest.raises(ResourceNotFoundError) as soft_deleted:
        secret_client(local_cloud, created.properties.vault_uri, operator_credential).get_secret("old")
    assert _error(soft_deleted)[:2] == (404, "VaultNotFound")
    assert "has been soft deleted" in soft_deleted.value.response.json()["error"]["message"]
    vaults.begin_purge_deleted("kv-dropped", "westus").result()
    again = _policy_vault(local_cloud, operator_credential, "kv-dropped", *ALL)
    client = secret_client(local_cloud, again.properties.vault_uri, operator_credential)
    assert list(client.list_properties_of_secrets()) == []


@pytest.fixture(scope="module")
def machine(local_cloud: LocalCloudServer, operator_credential: Any) -> tuple[str, str]:
    return vm_principal(local_cloud, operator_credential, "kv-vm-rg", "vm-secrets")


def _new_group_with(local_cloud: LocalCloudServer, operator_credential: Any, name: str, member: str) -> str:
    token = operator_credential.get_token("https://graph.microsoft.com/.default").token
    headers = {"Authorization": f"Bearer {token}"}
    body = {"displayName": name, "mailEnabled": False, "mailNickname": name, "securityEnabled": True}
    with https(local_cloud) as http:
        created = http.post(f"{local_cloud.url}/v1.0/groups", json=body, headers=headers).json()
        reference = {"@odata.id": f"{local_cloud.url}/v1.0/directoryObjects/{member}"}
        added = http.post(
            f"{local_cloud.url}/v1.0/groups/{created['id']}/members/$ref", json=reference, headers=headers
        )
    assert added.status_code == 204
    return str(created["id"])


def test_an_access_policy_for_a_group_applies_to_its_members(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str, machine: tuple[str, str]
) -> None:
    vm_id, principal = machine
    members = _new_group_with(local_cloud, operator_credential, "kv-readers", principal)
    policies = [policy(local_cloud, _operator(local_cloud), *ALL), policy(local_cloud, members, "get", "list")]
    created = vault(local_cloud, operator_credential, GROUP, "kv-group-policy", rbac=False, policies=policies)
    secret_client(local_cloud, created.properties.vault_uri, operator_credential).set_secret("shared", "for members")
    outsider = _policy_vault(local_cloud, operator_credential, "kv-no-policy", *ALL)
    secret_client(local_cloud, outsider.properties.vault_uri, operator_credential).set_secret("shared", "x")

    inside = {"vault_url": created.properties.vault_uri}
    outcomes = as_vm(
        local_cloud,
        vm_id,
        inside | {"op": "get_secret", "name": "shared"},
        inside | {"op": "list_secrets"},
        inside | {"op": "set_secret", "name": "shared", "value": "changed"},
        {"vault_url": outsider.properties.vault_uri, "op": "get_secret", "name": "shared"},
    )
    forbidden = {"status": 403, "code": "Forbidden"}
    assert outcomes == [{"ok": "for members"}, {"ok": ["shared"]}, forbidden, forbidden]


def test_a_secrets_officer_role_on_the_group_allows_an_rbac_vault(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str, machine: tuple[str, str]
) -> None:
    vm_id, principal = machine
    created = vault(local_cloud, operator_credential, GROUP, "kv-rbac-vm", rbac=True)
    step = {"vault_url": created.properties.vault_uri, "op": "set_secret", "name": "made-by-vm", "value": "v"}
    assert as_vm(local_cloud, vm_id, step) == [{"status": 403, "code": "Forbidden"}]

    builders.assign(local_cloud, operator_credential, group_id, SECRETS_OFFICER, principal)
    read = {"vault_url": created.properties.vault_uri, "op": "get_secret", "name": "made-by-vm"}
    assert as_vm(local_cloud, vm_id, step, read) == [{"ok": "made-by-vm"}, {"ok": "v"}]


def test_a_role_at_one_secrets_scope_reads_that_secret_only(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    vm_id, principal = vm_principal(local_cloud, operator_credential, "kv-vm-scoped-rg", "vm-scoped")
    created = vault(local_cloud, operator_credential, GROUP, "kv-secret-scope", rbac=True)
    builders.assign(local_cloud, operator_credential, created.id, SECRETS_OFFICER, _operator(local_cloud))
    client = secret_client(local_cloud, created.properties.vault_uri, operator_credential)
    client.set_secret("granted", "yes")
    client.set_secret("other", "no")
    with pytest.raises(ResourceNotFoundError) as missing:
        builders.assign(local_cloud, operator_credential, f"{created.id}/secrets/absent", SECRETS_USER, principal)
    assert missing.value.error is not None and missing.value.error.code == "ResourceNotFound"

    builders.assign(local_cloud, operator_credential, f"{created.id}/secrets/granted", SECRETS_USER, principal)
    at = {"vault_url": created.properties.vault_uri, "op": "get_secret"}
    outcomes = as_vm(local_cloud, vm_id, at | {"name": "granted"}, at | {"name": "other"})
    assert outcomes == [{"ok": "yes"}, {"status": 403, "code": "Forbidden"}]


def test_a_secret_id_names_its_vault_and_version_and_is_usable_as_given(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    vaults = [_policy_vault(local_cloud, operator_credential, name, *ALL) for name in ("kv-id-one", "kv-id-two")]
    ids = []
    for index, created in enumerate(vaults):
        vault_uri = str(created.properties.vault_uri)
        assert vault_uri.startswith("https://127.0.0.1:") and vault_uri.endswith("/")
        stored = secret_client(local_cloud, vault_uri, operator_credential).set_secret("app-secret", f"value-{index}")
        assert stored.id == f"{vault_uri}secrets/app-secret/{stored.properties.version}"
        assert stored.properties.vault_url == vault_uri.rstrip("/")
        ids.append(stored.id)
    assert len(set(ids)) == 2
    assert len({str(created.properties.vault_uri) for created in vaults}) == 2

    for index, secret_id in enumerate(ids):
        parsed = KeyVaultSecretIdentifier(secret_id)
        client = secret_client(local_cloud, parsed.vault_url, operator_credential)
        assert client.get_secret(parsed.name, parsed.version).value == f"value-{index}"
        deleted = client.begin_delete_secret(parsed.name).result()
        assert deleted.recovery_id == f"{parsed.vault_url}/deletedsecrets/app-secret"


def test_a_vaults_own_port_is_kept_across_a_restart(tmp_path: Any) -> None:
    with LocalCloudServer(tmp_path) as first:
        credential = clients.operator_credential_for(first)
        group(first, credential, GROUP)
        uri = vault(first, credential, GROUP, "kv-kept-port", rbac=True).properties.vault_uri
    with LocalCloudServer(tmp_path) as second:
        credential = clients.operator_credential_for(second)
        assert keyvault(second, credential).vaults.get(GROUP, "kv-kept-port").properties.vault_uri == uri
