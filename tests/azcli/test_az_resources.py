"""az's resource-group, identity, role, storage, Key Vault and SQL commands against the local cloud,
as the tutorials run them; each output checked."""

from __future__ import annotations

from tests.azcli.conftest import Az

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def test_login_lands_on_the_local_subscription(az: Az) -> None:
    account = az.json("account", "show")
    assert account["id"] == az.subscription_id
    assert account["environmentName"] == "ProvisionLocal"
    assert account["user"] == {"name": az.env["AZURE_CLIENT_ID"], "type": "servicePrincipal"}


def test_identity_with_a_reader_role_by_assignee(az: Az) -> None:
    group = az.json("group", "create", "-n", "rg-id", "-l", "westus")
    assert group["properties"]["provisioningState"] == "Succeeded"
    identity = az.json("identity", "create", "-g", "rg-id", "-n", "id1")
    # MSI answers the id with `resourcegroups` in lower case, as Azure does.
    expected = f"{group['id']}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
    assert identity["id"].lower() == expected.lower()
    principal = identity["principalId"]
    # --assignee makes az look the principal up in Graph (the local cloud's, under its own audience).
    assignment = az.json(
        "role", "assignment", "create", "--assignee", principal, "--role", "Reader", "--scope", group["id"]
    )
    assert assignment["principalId"] == principal
    assert assignment["roleDefinitionId"].endswith(f"/roleDefinitions/{READER}")
    again = az.json("role", "assignment", "create", "--assignee", principal, "--role", "Reader", "--scope", group["id"])
    assert again["id"] == assignment["id"]
    listed = az.json("role", "assignment", "list", "--scope", group["id"])
    assert [(item["principalName"], item["roleDefinitionName"]) for item in listed] == [
        (identity["clientId"], "Reader")
    ]
    service_principal = az.json("ad", "sp", "show", "--id", principal)
    assert (service_principal["appId"], service_principal["displayName"]) == (identity["clientId"], "id1")


def test_storage_key_vault_and_sql_with_an_entra_admin(az: Az) -> None:
    az.run("group", "create", "-n", "rg-data", "-l", "westus", "-o", "none")
    identity = az.json("identity", "create", "-g", "rg-data", "-n", "app")
    account = az.json("storage", "account", "create", "-g", "rg-data", "-n", "azclidata1", "-l", "westus")
    assert (account["provisioningState"], account["kind"]) == ("Succeeded", "StorageV2")
    vault = az.json(
        "keyvault",
        "create",
        "-g",
        "rg-data",
        "-n",
        "azcli-vault1",
        "-l",
        "westus",
        "--enable-rbac-authorization",
        "false",
    )
    assert vault["properties"]["vaultUri"].startswith("https://127.0.0.1:")
    policy = az.json(
        "keyvault",
        "set-policy",
        "-n",
        "azcli-vault1",
        "--object-id",
        identity["principalId"],
        "--secret-permissions",
        "get",
        "list",
    )
    granted = [
        entry for entry in policy["properties"]["accessPolicies"] if entry["objectId"] == identity["principalId"]
    ]
    assert granted and sorted(granted[0]["permissions"]["secrets"]) == ["get", "list"]
    server = az.json(
        "sql",
        "server",
        "create",
        "-g",
        "rg-data",
        "-n",
        "azcli-sql1",
        "-l",
        "westus",
        "--enable-ad-only-auth",
        "--external-admin-principal-type",
        "Application",
        "--external-admin-name",
        "app",
        "--external-admin-sid",
        identity["clientId"],
    )
    assert server["fullyQualifiedDomainName"] == "azcli-sql1.database.windows.net"
    admin = az.json(
        "sql",
        "server",
        "ad-admin",
        "create",
        "-g",
        "rg-data",
        "-s",
        "azcli-sql1",
        "--display-name",
        "app",
        "--object-id",
        identity["principalId"],
    )
    assert (admin["login"], admin["sid"]) == ("app", identity["principalId"])
    taken = az.fails("storage", "account", "create", "-g", "rg-id", "-n", "azclidata1", "-l", "westus")
    assert "already taken" in taken or "already in another resource group" in taken
    az.run("group", "delete", "-n", "rg-data", "--yes")
    assert az.run("group", "exists", "-n", "rg-data").stdout.strip() == "false"
