"""Role definitions and role assignments, and what a managed identity may do with them."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.core.rest import HttpRequest

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients

GROUP = "authz-rg"


@pytest.fixture(scope="module")
def group_id(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    group = clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(
        GROUP, {"location": "westus"}
    )
    return str(group.id)


@pytest.fixture(scope="module")
def identity(local_cloud: LocalCloudServer, operator_credential: Any, group_id: str) -> Any:
    return clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, "authz-uai", {"location": "westus"}
    )


def _definition(local_cloud: LocalCloudServer, guid: str) -> str:
    subscription = local_cloud.cloud.identity.subscription_id
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def test_role_definitions_by_name_and_id(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    authorization = clients.authorization(local_cloud, operator_credential)
    scope = f"/subscriptions/{local_cloud.cloud.identity.subscription_id}"
    readers = list(authorization.role_definitions.list(scope, filter="roleName eq 'Reader'"))
    assert [role.name for role in readers] == [builders.READER]
    assert readers[0].role_type == "BuiltInRole"
    assert readers[0].permissions[0].actions == ["*/read"]

    contributor = authorization.role_definitions.get(scope, builders.CONTRIBUTOR)
    assert contributor.role_name == "Contributor"
    assert "Microsoft.Authorization/*/Write" in contributor.permissions[0].not_actions

    with pytest.raises(ResourceNotFoundError) as missing:
        authorization.role_definitions.get(scope, str(uuid.uuid4()))
    assert missing.value.error.code == "RoleDefinitionDoesNotExist"


def test_the_built_in_catalogue_lists_in_one_page(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    authorization = clients.authorization(local_cloud, operator_credential)
    scope = f"/subscriptions/{local_cloud.cloud.identity.subscription_id}"
    pages = authorization.role_definitions.list(scope, filter="type eq 'BuiltInRole'").by_page()
    first = list(next(pages))
    assert len(first) >= 900
    assert next(pages, None) is None
    assert {role.role_name for role in first} >= {"AcrPull", "Key Vault Crypto User", "Website Contributor"}
    acr_pull = list(authorization.role_definitions.list(scope, filter="roleName eq 'acrpull'"))
    assert [role.name for role in acr_pull] == ["7f951dda-4ed3-4680-a7ca-43fe172d538d"]


def test_any_built_in_role_can_be_assigned(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str, identity: Any
) -> None:
    acr_pull = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
    created = builders.assign(local_cloud, operator_credential, group_id, acr_pull, identity.principal_id)
    assert created.role_definition_id == _definition(local_cloud, acr_pull)
    clients.authorization(local_cloud, operator_credential).role_assignments.delete(group_id, created.name)


def _properties(local_cloud: LocalCloudServer, credential: Any, assignment: str, api_version: str) -> set[str]:
    response = clients.resources(local_cloud, credential).send_request(
        HttpRequest("GET", f"{assignment}?api-version={api_version}")
    )
    response.raise_for_status()
    return set(response.json()["properties"])


def test_old_api_versions_answer_without_the_fields_they_lack(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str, identity: Any
) -> None:
    """condition, conditionVersion, description and delegatedManagedIdentityResourceId came with
    2020-04-01-preview; an answer at 2018-09-01-preview has none of them, as recorded."""
    created = builders.assign(local_cloud, operator_credential, group_id, builders.READER, identity.principal_id)
    try:
        assert _properties(local_cloud, operator_credential, created.id, "2018-09-01-preview") == {
            "roleDefinitionId",
            "principalId",
            "principalType",
            "scope",
            "createdOn",
            "updatedOn",
            "createdBy",
            "updatedBy",
        }
        newer = _properties(local_cloud, operator_credential, created.id, "2022-04-01")
        assert {"condition", "conditionVersion", "description", "delegatedManagedIdentityResourceId"} <= newer
    finally:
        clients.authorization(local_cloud, operator_credential).role_assignments.delete(group_id, created.name)


def test_create_get_list_and_delete_an_assignment(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str, identity: Any
) -> None:
    authorization = clients.authorization(local_cloud, operator_credential)
    created = builders.assign(local_cloud, operator_credential, group_id, builders.READER, identity.principal_id)
    assert created.scope == group_id
    assert created.principal_type == "ServicePrincipal"
    assert created.role_definition_id == _definition(local_cloud, builders.READER)
    assert created.created_by is None  # Azure's PUT answer; reads name the creator

    read = authorization.role_assignments.get(group_id, created.name)
    assert read.principal_id == identity.principal_id
    assert read.created_by == local_cloud.cloud.identity.operator_object_id
    at_scope = list(authorization.role_assignments.list_for_scope(group_id, filter="atScope()"))
    assert {item.name for item in at_scope} >= {created.name}
    assert any(item.scope == f"/subscriptions/{local_cloud.cloud.identity.subscription_id}" for item in at_scope)
    by_principal = list(
        authorization.role_assignments.list_for_scope(group_id, filter=f"principalId eq '{identity.principal_id}'")
    )
    assert [item.name for item in by_principal] == [created.name]

    deleted = authorization.role_assignments.delete(group_id, created.name)
    assert deleted is not None and deleted.name == created.name  # 200 with the deleted assignment
    assert authorization.role_assignments.delete(group_id, created.name) is None  # 204: already gone
    with pytest.raises(ResourceNotFoundError) as missing:
        authorization.role_assignments.get(group_id, created.name)
    assert missing.value.error.code == "RoleAssignmentNotFound"


def test_an_equal_assignment_under_another_name_is_refused_with_409(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str, identity: Any
) -> None:
    first = builders.assign(local_cloud, operator_credential, group_id, builders.CONTRIBUTOR, identity.principal_id)
    with pytest.raises(ResourceExistsError) as duplicate:
        builders.assign(local_cloud, operator_credential, group_id, builders.CONTRIBUTOR, identity.principal_id)
    assert duplicate.value.error.code == "RoleAssignmentExists"
    clients.authorization(local_cloud, operator_credential).role_assignments.delete(group_id, first.name)


@pytest.mark.parametrize(
    ("name", "role", "principal", "principal_type", "code"),
    [
        ("not-a-guid", builders.READER, None, "ServicePrincipal", "InvalidRoleAssignmentId"),
        (None, str(uuid.UUID(int=7)), None, "ServicePrincipal", "RoleDefinitionDoesNotExist"),
        (None, builders.READER, "5a1f3c0e-7d2b-4e8a-9c6f-0b1d2e3f4a5b", "ServicePrincipal", "PrincipalNotFound"),
        (None, builders.READER, None, "User", "UnmatchedPrincipalType"),
    ],
    ids=["name-not-guid", "unknown-role", "unknown-principal", "wrong-principal-type"],
)
def test_invalid_assignments_get_azures_error_codes(
    local_cloud: LocalCloudServer,
    operator_credential: Any,
    group_id: str,
    identity: Any,
    name: str | None,
    role: str,
    principal: str | None,
    principal_type: str,
    code: str,
) -> None:
    body = {
        "properties": {
            "roleDefinitionId": _definition(local_cloud, role),
            "principalId": principal or identity.principal_id,
            "principalType": principal_type,
        }
    }
    with pytest.raises(HttpResponseError) as refused:
        clients.authorization(local_cloud, operator_credential).role_assignments.create(
            group_id, name or str(uuid.uuid4()), body
        )
    assert refused.value.status_code == 400
    assert refused.value.error.code == code


def test_principal_not_found_message_explains_replication(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(HttpResponseError) as refused:
        builders.assign(local_cloud, operator_credential, group_id, builders.READER, missing)
    message = refused.value.error.message
    assert f"Principal {missing.replace('-', '')} does not exist in the directory" in message
    assert "replication delay" in message


def test_a_new_principal_is_invisible_to_role_assignment_during_the_replication_delay(
    local_cloud: LocalCloudServer, operator_credential: Any, group_id: str
) -> None:
    local_cloud.cloud.faults.update({"replication_delay": 30})
    try:
        fresh = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
            GROUP, "authz-fresh", {"location": "westus"}
        )
    finally:
        local_cloud.cloud.faults.update({"replication_delay": 0})
    with pytest.raises(HttpResponseError) as refused:
        builders.assign(local_cloud, operator_credential, group_id, builders.READER, fresh.principal_id)
    assert refused.value.error.code == "PrincipalNotFound"

    stored = local_cloud.cloud.store.get_directory_object(fresh.principal_id)
    assert stored is not None
    local_cloud.cloud.store.put_directory_object(type(stored)(**{**stored.__dict__, "visible_at": 0.0}))
    assert builders.assign(local_cloud, operator_credential, group_id, builders.READER, fresh.principal_id).name


ACT_AS_VM = """
import json
import time
from azure.identity import ManagedIdentityCredential
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources import ResourceManagementClient
client = ResourceManagementClient(ManagedIdentityCredential(), SUBSCRIPTION, base_url=URL)
outcome = {}
for name, call in (
    ("read", lambda: client.resource_groups.get(GROUP)),
    ("write", lambda: client.resource_groups.create_or_update(GROUP, {"location": "westus", "tags": {"x": "y"}})),
):
    try:
        call()
        outcome[name] = "ok"
    except HttpResponseError as error:
        outcome[name] = error.error.code
print(json.dumps(outcome))
"""


def _what_the_vm_may_do(local_cloud: LocalCloudServer, vm_id: str, group: str) -> dict[str, str]:
    code = (
        ACT_AS_VM.replace("SUBSCRIPTION", repr(local_cloud.cloud.identity.subscription_id))
        .replace("URL", repr(local_cloud.url))
        .replace("GROUP", repr(group))
    )
    done = clients.run_inside(builders.vm_environment(local_cloud, vm_id), local_cloud, code)
    assert done.returncode == 0, done.stderr
    result: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_managed_identity_can_do_exactly_what_its_roles_allow(
    local_cloud: LocalCloudServer, operator_credential: Any
) -> None:
    group = "authz-vm-rg"
    subnet = builders.group_with_subnet(local_cloud, operator_credential, group)
    vm = builders.vm(local_cloud, operator_credential, group, "authz-vm", subnet, {"type": "SystemAssigned"})
    group_id = f"/subscriptions/{local_cloud.cloud.identity.subscription_id}/resourceGroups/{group}"

    assert _what_the_vm_may_do(local_cloud, vm.id, group) == {
        "read": "AuthorizationFailed",
        "write": "AuthorizationFailed",
    }
    builders.assign(local_cloud, operator_credential, group_id, builders.READER, vm.identity.principal_id)
    assert _what_the_vm_may_do(local_cloud, vm.id, group) == {"read": "ok", "write": "AuthorizationFailed"}


def test_a_new_role_assignment_counts_only_after_the_rbac_delay(
    local_cloud: LocalCloudServer, operator_credential: Any
) -> None:
    group = "authz-rbac-delay-rg"
    subnet = builders.group_with_subnet(local_cloud, operator_credential, group)
    vm = builders.vm(local_cloud, operator_credential, group, "authz-delay-vm", subnet, {"type": "SystemAssigned"})
    group_id = f"/subscriptions/{local_cloud.cloud.identity.subscription_id}/resourceGroups/{group}"
    local_cloud.cloud.faults.update({"rbac_delay": 5})
    try:
        builders.assign(local_cloud, operator_credential, group_id, builders.READER, vm.identity.principal_id)
    finally:
        local_cloud.cloud.faults.update({"rbac_delay": 0})
    assert _what_the_vm_may_do(local_cloud, vm.id, group)["read"] == "AuthorizationFailed"

    deadline = time.monotonic() + 30
    while _what_the_vm_may_do(local_cloud, vm.id, group)["read"] != "ok":
        assert time.monotonic() < deadline, "the role assignment never took effect"
        time.sleep(0.5)
