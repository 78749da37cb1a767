"""Virtual machines, network interfaces, user-assigned identities and IMDS, through the real SDKs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients

GROUP = "compute-rg"


@pytest.fixture(scope="module")
def subnet(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    return builders.group_with_subnet(local_cloud, operator_credential, GROUP)


def test_vm_with_system_identity_gets_a_service_principal_named_after_it(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    vm = builders.vm(local_cloud, operator_credential, GROUP, "vm-sys", subnet, {"type": "SystemAssigned"})

    assert vm.provisioning_state == "Succeeded"
    assert vm.identity.tenant_id == local_cloud.cloud.identity.tenant_id
    principal = local_cloud.cloud.store.get_directory_object(vm.identity.principal_id)
    assert principal is not None
    assert principal.body["servicePrincipalType"] == "ManagedIdentity"
    assert principal.display_name == "vm-sys"


def test_vm_create_requires_a_network_interface(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    body = builders.vm_body("unused")
    del body["properties"]["networkProfile"]
    with pytest.raises(HttpResponseError) as raised:
        clients.compute(local_cloud, operator_credential).virtual_machines.begin_create_or_update(
            GROUP, "vm-nonic", body
        ).result()
    assert raised.value.status_code == 400
    assert raised.value.error.code == "InvalidParameter"
    assert "networkProfile" in raised.value.error.message


def test_vm_admin_password_is_checked_and_never_returned(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    nic_id = builders.nic(local_cloud, operator_credential, GROUP, "pw-nic", subnet)
    compute = clients.compute(local_cloud, operator_credential)
    with pytest.raises(HttpResponseError) as raised:
        compute.virtual_machines.begin_create_or_update(GROUP, "vm-pw", builders.vm_body(nic_id, password="short"))
    assert raised.value.error.code == "InvalidParameter"

    vm = compute.virtual_machines.begin_create_or_update(GROUP, "vm-pw", builders.vm_body(nic_id)).result()
    assert vm.os_profile.admin_password is None
    stored = local_cloud.cloud.store.get_resource(vm.id)
    assert stored is not None
    assert builders.VM_PASSWORD not in json.dumps(stored.body)


def test_patch_toggles_the_system_identity_and_its_service_principal(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    compute = clients.compute(local_cloud, operator_credential)
    vm = builders.vm(local_cloud, operator_credential, GROUP, "vm-toggle", subnet, None)
    assert vm.identity is None

    enabled = compute.virtual_machines.begin_update(GROUP, "vm-toggle", {"identity": {"type": "SystemAssigned"}})
    principal_id = enabled.result().identity.principal_id
    assert local_cloud.cloud.store.get_directory_object(principal_id) is not None

    compute.virtual_machines.begin_update(GROUP, "vm-toggle", {"identity": {"type": "None"}}).result()
    assert compute.virtual_machines.get(GROUP, "vm-toggle").identity.type == "None"
    assert local_cloud.cloud.store.get_directory_object(principal_id) is None


def test_user_assigned_identity_lifecycle_and_its_service_principal(
    local_cloud: LocalCloudServer, operator_credential: Any
) -> None:
    msi = clients.msi(local_cloud, operator_credential)
    created = msi.user_assigned_identities.create_or_update(GROUP, "uai-life", {"location": "westus"})
    assert created.id.startswith(f"/subscriptions/{local_cloud.cloud.identity.subscription_id}/resourcegroups/")
    assert created.principal_id and created.client_id
    assert local_cloud.cloud.store.get_directory_object(created.principal_id) is not None

    updated = msi.user_assigned_identities.update(GROUP, "uai-life", {"tags": {"team": "blue"}})
    assert updated.tags == {"team": "blue"}
    assert updated.principal_id == created.principal_id
    assert "uai-life" in [item.name for item in msi.user_assigned_identities.list_by_resource_group(GROUP)]
    assert "uai-life" in [item.name for item in msi.user_assigned_identities.list_by_subscription()]

    msi.user_assigned_identities.delete(GROUP, "uai-life")
    assert local_cloud.cloud.store.get_directory_object(created.principal_id) is None
    with pytest.raises(ResourceNotFoundError):
        msi.user_assigned_identities.get(GROUP, "uai-life")
    msi.user_assigned_identities.delete(GROUP, "uai-life")  # already gone: 204, no error


def test_identity_name_rules(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    with pytest.raises(HttpResponseError) as raised:
        clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
            GROUP, "-bad", {"location": "westus"}
        )
    assert raised.value.error.code == "InvalidResourceName"


def test_vm_refuses_a_user_assigned_identity_named_longer_than_24(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    long_name = "a" * 25
    uai = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, long_name, {"location": "westus"}
    )
    with pytest.raises(HttpResponseError) as raised:
        builders.vm(
            local_cloud,
            operator_credential,
            GROUP,
            "vm-long",
            subnet,
            {"type": "UserAssigned", "userAssignedIdentities": {uai.id: {}}},
        )
    assert raised.value.error.code == "FailedIdentityOperation"


def test_deleting_a_vm_deletes_its_principal_and_frees_its_nic(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    vm = builders.vm(local_cloud, operator_credential, GROUP, "vm-gone", subnet, {"type": "SystemAssigned"})
    network = clients.network(local_cloud, operator_credential)
    with pytest.raises(HttpResponseError) as in_use:
        network.network_interfaces.begin_delete(GROUP, "vm-gone-nic").result()
    assert in_use.value.error.code == "NicInUse"

    clients.compute(local_cloud, operator_credential).virtual_machines.begin_delete(GROUP, "vm-gone").result()
    assert local_cloud.cloud.store.get_directory_object(vm.identity.principal_id) is None
    network.network_interfaces.begin_delete(GROUP, "vm-gone-nic").result()
    with pytest.raises(ResourceNotFoundError):
        network.network_interfaces.get(GROUP, "vm-gone-nic")


IMDS_PROBE = """
import json, sys
from azure.identity import ManagedIdentityCredential
kwargs = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
try:
    token = ManagedIdentityCredential(**kwargs).get_token("https://management.azure.com/.default")
    import jwt
    print(json.dumps(jwt.decode(token.token, options={"verify_signature": False})))
except Exception as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
"""


def _token_claims(local_cloud: LocalCloudServer, vm_id: str, **kwargs: str) -> dict[str, Any]:
    code = IMDS_PROBE.replace("json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}", repr(kwargs))
    done = clients.run_inside(builders.vm_environment(local_cloud, vm_id), local_cloud, code)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_imds_issues_tokens_for_the_system_and_user_assigned_identities(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    uai = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, "uai-imds", {"location": "westus"}
    )
    identity = {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai.id: {}}}
    vm = builders.vm(local_cloud, operator_credential, GROUP, "vm-imds", subnet, identity)

    system = _token_claims(local_cloud, vm.id)
    assert system["oid"] == vm.identity.principal_id
    assert system["aud"].startswith("https://management.azure.com")
    assert system["tid"] == local_cloud.cloud.identity.tenant_id
    assert system["xms_mirid"].lower() == vm.id.lower()

    by_client = _token_claims(local_cloud, vm.id, client_id=uai.client_id)
    assert by_client["oid"] == uai.principal_id
    assert by_client["appid"] == uai.client_id

    unknown = _token_claims(local_cloud, vm.id, client_id="00000000-0000-0000-0000-000000000001")
    assert unknown["error"] == "CredentialUnavailableError"
    assert "Identity not found" in unknown["message"]


def test_imds_uses_the_only_user_assigned_identity_and_refuses_a_vm_without_identity(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    uai = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, "uai-only", {"location": "westus"}
    )
    identity = {"type": "UserAssigned", "userAssignedIdentities": {uai.id: {}}}
    only_user = builders.vm(local_cloud, operator_credential, GROUP, "vm-only-uai", subnet, identity)
    assert _token_claims(local_cloud, only_user.id)["oid"] == uai.principal_id

    bare = builders.vm(local_cloud, operator_credential, GROUP, "vm-bare", subnet, None)
    refused = _token_claims(local_cloud, bare.id)
    assert refused["error"] == "CredentialUnavailableError"
    assert "Identity not found" in refused["message"]


def test_patch_attaches_and_detaches_user_assigned_identities_one_by_one(
    local_cloud: LocalCloudServer, operator_credential: Any, subnet: str
) -> None:
    msi = clients.msi(local_cloud, operator_credential)
    first = msi.user_assigned_identities.create_or_update(GROUP, "uai-first", {"location": "westus"})
    second = msi.user_assigned_identities.create_or_update(GROUP, "uai-second", {"location": "westus"})
    identity = {"type": "UserAssigned", "userAssignedIdentities": {first.id: {}}}
    builders.vm(local_cloud, operator_credential, GROUP, "vm-patch-uai", subnet, identity)
    compute = clients.compute(local_cloud, operator_credential)

    added = compute.virtual_machines.begin_update(
        GROUP, "vm-patch-uai", {"identity": {"type": "UserAssigned", "userAssignedIdentities": {second.id: {}}}}
    ).result()
    assert {key.lower() for key in added.identity.user_assigned_identities} == {first.id.lower(), second.id.lower()}

    detached = compute.virtual_machines.begin_update(
        GROUP, "vm-patch-uai", {"identity": {"type": "UserAssigned", "userAssignedIdentities": {first.id: None}}}
    ).result()
    assert [key.lower() for key in detached.identity.user_assigned_identities] == [second.id.lower()]
