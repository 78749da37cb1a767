"""graph_app_role_assignment through msgraph-sdk against the local cloud's Graph, and Graph's own refusals."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.app_role_assignment import AppRoleAssignment

from provisioner.azure.clients import Clients
from provisioner.errors import ConfigurationError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from tests.providers import builders
from tests.providers.conftest import desired
from tests.providers.lifecycle import create_and_check, delete_and_check, read

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
USER_READ_ALL = "df021288-bdef-4463-88db-98f22de89214"


def _identity(clients: Clients, unique: str) -> str:
    builders.group(clients, f"rg-{unique}")
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    return str(uai.exports["principal_id"])


def _graph(clients: Clients) -> Any:
    return clients.run_msgraph(lambda msgraph: msgraph.service_principals_with_app_id(GRAPH_APP_ID).get())


def test_microsoft_graph_lists_its_application_permissions(clients: Clients) -> None:
    roles = {role.value: str(role.id) for role in _graph(clients).app_roles}
    assert roles["User.Read.All"] == USER_READ_ALL
    assert roles["GroupMember.Read.All"] == "98830695-27a2-44f7-8c18-0c3ebc9698f6"
    assert roles["Application.Read.All"] == "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"


def test_assignment_lifecycle_adopts_an_equal_one(clients: Clients, unique: str) -> None:
    principal = _identity(clients, unique)
    wanted = desired("graph_app_role_assignment", {"principal": principal, "permission": "User.Read.All"})
    created = create_and_check(clients, wanted)
    assert created.exports["app_role_id"] == USER_READ_ALL
    again = PROVIDERS["graph_app_role_assignment"].create(RunContext(clients), wanted)
    assert again.azure_id == created.azure_id
    other = desired("graph_app_role_assignment", {"principal": principal, "permission": "GroupMember.Read.All"})
    assert read(clients, other) is None
    delete_and_check(clients, created, wanted)


def test_graph_refuses_a_duplicate_and_an_unknown_role(clients: Clients, unique: str) -> None:
    principal = _identity(clients, unique)
    graph_id = UUID(str(_graph(clients).id))

    def post(role: str) -> Any:
        body = AppRoleAssignment(principal_id=UUID(principal), resource_id=graph_id, app_role_id=UUID(role))
        return clients.run_msgraph(
            lambda msgraph: msgraph.service_principals.by_service_principal_id(principal).app_role_assignments.post(
                body
            )
        )

    assert post(USER_READ_ALL).principal_id == UUID(principal)
    with pytest.raises(APIError) as duplicate:
        post(USER_READ_ALL)
    assert duplicate.value.response_status_code == 400
    assert duplicate.value.error.message == "Permission being assigned already exists on the object."
    with pytest.raises(APIError) as unknown:
        post("00000000-0000-0000-0000-000000000001")
    assert unknown.value.response_status_code == 400
    assert "was not found on application" in unknown.value.error.message


def test_an_unknown_permission_name_is_a_configuration_error(clients: Clients, unique: str) -> None:
    wanted = desired(
        "graph_app_role_assignment", {"principal": _identity(clients, unique), "permission": "No.Such.All"}
    )
    with pytest.raises(ConfigurationError, match=r"No\.Such\.All"):
        PROVIDERS["graph_app_role_assignment"].create(RunContext(clients), wanted)
