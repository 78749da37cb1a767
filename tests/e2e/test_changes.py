"""Changes between applies: an attribute updated in place, a resource removed from the scenario, and
an Entra admin replaced on a server provision did not create (restored by destroy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from provisioner.azure.clients import Clients
from tests.e2e.checks import resources_named, role_assignments
from tests.e2e.conftest import Cloud

pytestmark = pytest.mark.e2e
ALICE = "alice@provisionlocal.onmicrosoft.com"

IDENTITY = """\
scenario: identity
variables: {prefix: x, owner: nobody}
resources:
  rg:
    kind: resource_group
    name: ${var.prefix}-rg
    location: westus
    tags: {owner: "${var.owner}"}
  uai:
    kind: user_assigned_identity
    resource_group: ${rg.name}
    name: ${var.prefix}-uai
"""
READER = """\
  reader:
    kind: role_assignment
    scope: ${rg.id}
    role: Reader
    principal: ${uai.principal_id}
"""
ADMIN = """\
scenario: admin
variables: {prefix: x}
resources:
  rg: {kind: resource_group, existing: true, name: "${var.prefix}-rg"}
  sql: {kind: sql_server, existing: true, name: "${var.prefix}-sql", resource_group: "${rg.name}"}
  admins: {kind: entra_group, display_name: "${var.prefix}-admins"}
  admin:
    kind: sql_entra_admin
    server: ${sql.id}
    login: ${admins.display_name}
    object_id: ${admins.id}
"""


def write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text)
    return str(path)


def test_update_in_place_and_removal(cloud: Cloud, sdk: Clients, prefix: str, tmp_path: Path) -> None:
    full = write(tmp_path, "full.yaml", IDENTITY + READER)
    reduced = write(tmp_path, "reduced.yaml", IDENTITY)
    args = ["--var", f"prefix={prefix}", "--deployment", prefix]
    assert cloud.run("apply", full, *args, "--var", "owner=ann", "--auto-approve").code == 0

    changed = cloud.run("plan", full, *args, "--var", "owner=bob", "--detailed-exitcode")
    assert changed.code == 2, changed.text
    assert '  ~ resource_group "rg" {' in changed.out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in changed.out
    assert cloud.run("apply", full, *args, "--var", "owner=bob", "--auto-approve").code == 0
    assert sdk.resources.resource_groups.get(f"{prefix}-rg").tags["owner"] == "bob"
    assert cloud.run("plan", full, *args, "--var", "owner=bob", "--detailed-exitcode").code == 0

    uai = sdk.msi.user_assigned_identities.get(f"{prefix}-rg", f"{prefix}-uai")
    assert len(role_assignments(sdk, uai.principal_id)) == 1
    removal = cloud.run("plan", reduced, *args, "--var", "owner=bob", "--detailed-exitcode")
    assert removal.code == 2, removal.text
    assert '  - role_assignment "reader" {' in removal.out
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in removal.out
    assert cloud.run("apply", reduced, *args, "--var", "owner=bob", "--auto-approve").code == 0
    assert role_assignments(sdk, uai.principal_id) == []

    assert cloud.run("destroy", reduced, *args, "--auto-approve").code == 0
    assert resources_named(sdk, prefix) == []


def user_id(sdk: Clients, upn: str) -> str:
    async def find(msgraph: Any) -> str:
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(filter=f"userPrincipalName eq '{upn}'")
        found = await msgraph.users.get(RequestConfiguration(query_parameters=query))
        return str(found.value[0].id)

    return sdk.run_msgraph(find)


def admin_of(sdk: Clients, group: str, server: str) -> Any:
    return sdk.sql.server_azure_ad_administrators.get(group, server, "ActiveDirectory")


def test_a_replaced_entra_admin_is_restored_by_destroy(cloud: Cloud, sdk: Clients, prefix: str, tmp_path: Path) -> None:
    group, server = f"{prefix}-rg", f"{prefix}-sql"
    alice = user_id(sdk, ALICE)
    sdk.resources.resource_groups.create_or_update(group, {"location": "westus"})
    body = {
        "location": "westus",
        "properties": {"administratorLogin": "sqladmin", "administratorLoginPassword": "Pa55-w0rd!x"},
    }
    sdk.sql.servers.begin_create_or_update(group, server, body).result()
    admin = {
        "properties": {"administratorType": "ActiveDirectory", "login": ALICE, "sid": alice, "tenantId": sdk.tenant_id}
    }
    sdk.sql.server_azure_ad_administrators.begin_create_or_update(group, server, "ActiveDirectory", admin).result()

    scenario = write(tmp_path, "admin.yaml", ADMIN)
    args = ["--var", f"prefix={prefix}", "--deployment", prefix]
    applied = cloud.run("apply", scenario, *args, "--auto-approve")
    assert applied.code == 0, applied.text
    assert '  ~ sql_entra_admin "admin" {' in applied.out
    assert admin_of(sdk, group, server).login == f"{prefix}-admins"
    shown = cloud.run("show", "--deployment", prefix)
    assert f'prior object_id = "{alice}" (restored by destroy)' in shown.out

    destroyed = cloud.run("destroy", scenario, *args, "--auto-approve")
    assert destroyed.code == 0, destroyed.text
    assert "left behind: sql (sql_server): not created by provision, left in place" in destroyed.out
    restored = admin_of(sdk, group, server)
    assert (restored.login, restored.sid) == (ALICE, alice)
    assert sdk.sql.servers.get(group, server).name == server  # existing: never deleted
    sdk.resources.resource_groups.begin_delete(group).result()
