from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from provisioner.azure.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import TransientCloudError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.role_assignment import assignment_name, role_definition_id
from tests.providers import builders
from tests.providers.conftest import desired
from tests.providers.lifecycle import create_and_check, delete_and_check, read

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
ROLES = PROVIDERS["role_assignment"]


@pytest.fixture
def principal(clients: Clients, unique: str) -> tuple[str, str]:
    """A resource group (the scope) and a user-assigned identity's principal in it."""
    scope = builders.group(clients, f"rg-{unique}").exports["id"]
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    return scope, uai.exports["principal_id"]


def assignment(scope: str, principal_id: str, role: str = "Reader") -> dict[str, str]:
    return {"scope": scope, "role": role, "principal": principal_id, "principal_type": "ServicePrincipal"}


def test_role_assignment_lifecycle(clients: Clients, principal: tuple[str, str]) -> None:
    scope, principal_id = principal
    wanted = desired("role_assignment", assignment(scope, principal_id))
    created = create_and_check(clients, wanted)
    assert created.exports["name"] == assignment_name(scope, READER, principal_id)
    assert created.attributes["role"] == "Reader"
    assert created.attributes["principal_type"] == "ServicePrincipal"
    delete_and_check(clients, created, wanted)


def test_without_a_principal_type_azure_finds_it(clients: Clients, principal: tuple[str, str]) -> None:
    """`${target.principal_id}` leaves the type to Azure: the signed-in principal exists already."""
    scope, _ = principal
    wanted = desired("role_assignment", {"scope": scope, "role": "Reader", "principal": clients.principal_id})
    created = create_and_check(clients, wanted)
    assert created.attributes["principal_type"] == "ServicePrincipal"  # the local cloud's operator
    delete_and_check(clients, created, wanted)


def test_match_ignores_case_and_the_name(clients: Clients, principal: tuple[str, str]) -> None:
    scope, principal_id = principal
    created = ROLES.create(RunContext(clients), desired("role_assignment", assignment(scope, principal_id, READER)))
    shouted = desired("role_assignment", assignment(scope.upper(), principal_id.upper(), "reader"))
    found = read(clients, shouted)
    assert found is not None
    assert found.azure_id == created.azure_id


def test_an_equal_assignment_under_another_name_is_adopted(clients: Clients, principal: tuple[str, str]) -> None:
    scope, principal_id = principal
    other_name = str(uuid.uuid4())
    properties = {
        "roleDefinitionId": role_definition_id(scope, READER),
        "principalId": principal_id,
        "principalType": "ServicePrincipal",
    }
    clients.authorization.role_assignments.create(scope, other_name, {"properties": properties})
    adopted = ROLES.create(RunContext(clients), desired("role_assignment", assignment(scope, principal_id)))
    assert adopted.exports["name"] == other_name


def test_inherited_assignments_are_not_mistaken_for_the_scopes_own(
    clients: Clients, principal: tuple[str, str]
) -> None:
    scope, principal_id = principal
    subscription = f"/subscriptions/{clients.subscription_id}"
    ROLES.create(RunContext(clients), desired("role_assignment", assignment(subscription, principal_id)))
    assert read(clients, desired("role_assignment", assignment(scope, principal_id))) is None


def test_reads_list_each_scope_once(
    clients: Clients, principal: tuple[str, str], local_cloud: LocalCloudServer
) -> None:
    scope, principal_id = principal
    ctx = RunContext(clients)
    start = local_cloud.cloud.log.summary(include_records=False)["last"]
    for role in ("Reader", "Contributor", "Storage Blob Data Reader"):
        ROLES.read(ctx, desired("role_assignment", assignment(scope, principal_id, role)))
    assert local_cloud.cloud.log.summary(start, include_records=False)["reads"] == 1


@pytest.fixture
def replication_delay(local_cloud: LocalCloudServer) -> Iterator[None]:
    local_cloud.cloud.faults.update({"replication_delay": 600})
    yield
    local_cloud.cloud.faults.update({"replication_delay": 0})


@pytest.mark.usefixtures("replication_delay")
def test_a_principal_still_replicating_is_a_transient_principal_not_found(clients: Clients, unique: str) -> None:
    scope = builders.group(clients, f"rg-{unique}").exports["id"]
    uai = builders.make(clients, "user_assigned_identity", {"name": "fresh", "resource_group": f"rg-{unique}"})
    with pytest.raises(TransientCloudError) as raised:
        ROLES.create(RunContext(clients), desired("role_assignment", assignment(scope, uai.exports["principal_id"])))
    assert raised.value.code == "PrincipalNotFound"
    assert raised.value.status == 400
