"""The built-in role definitions: Azure's ids, names and permissions, in ARM's response shape."""

from __future__ import annotations

import pytest

from provisioner.emulator.auth.builtin_roles import (
    builtin_role,
    builtin_role_named,
    builtin_roles,
    role_definition_body,
    role_definition_id,
)

SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"
REQUIRED_ROLES = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
    "SQL DB Contributor": "9b7fa17d-e63e-47b0-bb0a-15c516ac86ec",
    "SQL Server Contributor": "6d8ee4ec-f05a-4a1d-8b00-a9b17e38b437",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "Managed Identity Contributor": "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Website Contributor": "de139f84-1756-47ae-9be6-808fbbe84772",
    "Storage Queue Data Reader": "19e7f393-937e-4f77-808e-94535e297925",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
}


@pytest.mark.parametrize(("name", "guid"), sorted(REQUIRED_ROLES.items()))
def test_required_role_has_its_azure_id(name: str, guid: str) -> None:
    role = builtin_role_named(name.upper())
    assert role is not None
    assert role.guid == guid
    assert builtin_role(guid.upper()) == role


def test_names_and_ids_are_unique() -> None:
    roles = builtin_roles()
    assert len({role.guid for role in roles}) == len({role.name.lower() for role in roles}) == len(roles)


def test_the_whole_catalogue_is_there() -> None:
    roles = builtin_roles()
    assert len(roles) >= 900
    assert all(role.description and role.permissions for role in roles)
    assert all(role.created_on.endswith("Z") and len(role.created_on) == 28 for role in roles)


def test_a_conditional_block_keeps_its_condition() -> None:
    conditional = [block for role in builtin_roles() for block in role.permissions if block.condition]
    assert conditional
    rendered = conditional[0].to_json()
    assert rendered["condition"] == conditional[0].condition
    assert rendered["conditionVersion"] == "2.0"


def test_contributor_matches_azure_exactly() -> None:
    role = builtin_role_named("Contributor")
    assert role is not None
    (permission,) = role.permissions
    assert permission.actions == ("*",)
    assert permission.not_actions == (
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
    )
    assert permission.data_actions == permission.not_data_actions == ()


def test_unknown_role_is_none() -> None:
    assert builtin_role("00000000-0000-0000-0000-000000000000") is None
    assert builtin_role_named("Galaxy Administrator") is None


def test_definition_id_is_subscription_qualified_below_a_subscription() -> None:
    guid = REQUIRED_ROLES["Reader"]
    expected = f"{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    assert role_definition_id(guid, f"{SUBSCRIPTION}/resourceGroups/rg") == expected
    assert role_definition_id(guid, "/") == f"/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def test_body_has_arms_shape() -> None:
    """As in the RoleDefinitions_Get example (2022-04-01) and a recorded `$filter=roleName eq` list."""
    role = builtin_role_named("Reader")
    assert role is not None
    body = role_definition_body(role, SUBSCRIPTION)
    assert set(body) == {"properties", "id", "type", "name"}
    assert set(body["properties"]) == {
        "roleName",
        "type",
        "description",
        "assignableScopes",
        "permissions",
        "createdOn",
        "updatedOn",
        "createdBy",
        "updatedBy",
    }
    assert body["type"] == "Microsoft.Authorization/roleDefinitions"
    assert body["name"] == role.guid
    assert body["id"] == role_definition_id(role.guid, SUBSCRIPTION)
    assert body["properties"]["type"] == "BuiltInRole"
    assert body["properties"]["assignableScopes"] == ["/"]
    assert body["properties"]["permissions"] == [
        {"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}
    ]
