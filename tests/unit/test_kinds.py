"""The kinds registry: every kind describes itself consistently."""

from __future__ import annotations

from typing import Any

import pytest

from provisioner.kinds import KINDS
from provisioner.kinds.base import KindInfo
from provisioner.kinds.key_vault_access_policy import TEMPLATES
from provisioner.kinds.roles import BUILT_IN_ROLES, role_definition_guid
from provisioner.scenario.validation import field_names

ALL = [pytest.param(kind, id=name) for name, kind in KINDS.items()]


def test_the_kinds_of_the_issue_are_all_there() -> None:
    assert set(KINDS) == {
        "resource_group", "virtual_network", "network_interface", "virtual_machine",
        "user_assigned_identity", "entra_group", "entra_user", "group_member", "role_assignment",
        "storage_account", "blob_container", "blob", "key_vault", "key_vault_secret",
        "key_vault_access_policy", "sql_server", "sql_database", "sql_entra_admin",
        "sql_database_user", "app_service_plan", "web_app", "graph_app_role_assignment",
        "mysql_flexible_server", "mysql_database", "mysql_entra_admin",
        "postgres_flexible_server", "postgres_database", "postgres_entra_admin", "postgres_database_user",
    }  # fmt: skip


@pytest.mark.parametrize("kind", ALL)
def test_a_kind_names_only_its_own_attributes(kind: KindInfo[Any]) -> None:
    fields = set(kind.spec.model_fields)
    assert kind.spec.model_config.get("extra") == "forbid"
    assert set(kind.lookup) <= fields
    assert kind.required <= kind.create_only
    assert kind.secrets <= fields
    assert {name for group in kind.one_of for name in group} <= kind.create_only
    assert set(kind.files) | {file.into for file in kind.files.values()} <= fields
    assert kind.case_sensitive <= set(kind.lookup)
    assert {name.split(".")[0] for name in kind.links} <= fields
    assert set(kind.principal_exports) <= set(kind.exports)
    if kind.principal:
        assert {kind.principal.attribute, kind.principal.type_attribute} - {None} <= fields


@pytest.mark.parametrize(
    ("kind", "exports"),
    [
        ("resource_group", ["id", "name", "location"]),
        ("virtual_machine", ["id", "name", "location", "identity.principal_id", "identity.tenant_id"]),
        ("user_assigned_identity", ["id", "name", "principal_id", "client_id", "tenant_id"]),
        ("entra_group", ["id", "object_id", "display_name"]),
        ("storage_account", ["id", "name", "blob_endpoint"]),
        ("blob", ["id", "name", "url"]),
        ("key_vault", ["id", "name", "vault_uri"]),
        ("sql_server", ["id", "name", "fqdn"]),
        ("web_app", ["id", "name", "default_host_name", "identity.principal_id", "identity.tenant_id"]),
    ],
)
def test_exports(kind: str, exports: list[str]) -> None:
    assert list(KINDS[kind].exports) == exports


def test_existing_resources_may_set_only_what_finds_them() -> None:
    assert KINDS["resource_group"].create_only == {"location", "tags"}
    assert KINDS["key_vault_secret"].create_only == {"value", "content_type"}
    assert KINDS["blob"].create_only == {"content", "content_file", "content_type"}


@pytest.mark.parametrize(
    ("role", "guid"),
    [
        ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        ("storage blob data reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"),
        ("B24988AC-6180-42A0-AB88-20F7382DD24C", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
        (
            "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/"
            "4633458b-17de-408a-b874-0445c86b69e6",
            "4633458b-17de-408a-b874-0445c86b69e6",
        ),
        (
            "/providers/Microsoft.Authorization/roleDefinitions/00482a5a-887f-4fb3-b363-3b7fe8e74483",
            "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        ),
        ("Readers", None),
        ("/providers/Microsoft.Authorization/roleDefinitions/not-a-guid", None),
    ],
)
def test_role_definition_guids(role: str, guid: str | None) -> None:
    assert role_definition_guid(role) == guid


def test_the_built_in_roles_the_tutorials_use() -> None:
    assert {
        "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
        "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "SQL DB Contributor": "9b7fa17d-e63e-47b0-bb0a-15c516ac86ec",
    }.items() <= BUILT_IN_ROLES.items()


def test_access_policy_templates() -> None:
    management = ["get", "list", "update", "create", "import", "delete", "recover", "backup", "restore"]
    everything = TEMPLATES["Key, Secret, & Certificate Management"]
    assert everything["keys"] == [*management, "rotate", "getrotationpolicy", "setrotationpolicy"]
    assert everything["secrets"] == ["get", "list", "set", "delete", "recover", "backup", "restore"]
    assert everything["certificates"][: len(management)] == management
    assert TEMPLATES["Key Management"]["secrets"] == TEMPLATES["Key Management"]["certificates"] == []
    assert TEMPLATES["Secret & Certificate Management"]["keys"] == []
    assert len(TEMPLATES) == 7


def test_field_names_include_nested_models() -> None:
    assert {"system_assigned", "user_assigned", "publisher", "admin_password"} <= field_names(
        KINDS["virtual_machine"].spec
    )
