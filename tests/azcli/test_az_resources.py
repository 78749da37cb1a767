"""az's resource-group, identity, role, storage, Key Vault, SQL and Graph (ad group / member)
commands against the local cloud, as the tutorials run them; each output checked. One module: each
module signs az in once (four az processes)."""

from __future__ import annotations

import subprocess

from provisioner.emulator.server import LocalCloudServer
from tests.azcli.conftest import PROVISION, Az

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


# Graph under the audience the local cloud advertises
def test_group_membership_as_the_tutorial_does_it(az: Az) -> None:
    az.run("group", "create", "-n", "rg-graph", "-l", "westus", "-o", "none")
    member = az.json("identity", "create", "-g", "rg-graph", "-n", "reader")["principalId"]
    group = az.json("ad", "group", "create", "--display-name", "readers", "--mail-nickname", "readers")
    assert az.json("ad", "group", "show", "-g", "readers")["id"] == group["id"]
    az.run("ad", "group", "member", "add", "--group", "readers", "--member-id", member)
    # A second add is Graph's 400, which az reports as is.
    again = az.fails("ad", "group", "member", "add", "--group", "readers", "--member-id", member)
    assert "One or more added object references already exist" in again
    assert az.json("ad", "group", "member", "check", "--group", group["id"], "--member-id", member) == {"value": True}
    assert [entry["id"] for entry in az.json("ad", "group", "member", "list", "--group", "readers")] == [member]
    az.run("ad", "group", "member", "remove", "--group", "readers", "--member-id", member)
    assert az.json("ad", "group", "member", "check", "--group", group["id"], "--member-id", member) == {"value": False}
    az.run("ad", "group", "delete", "-g", group["id"])
    assert "does not exist" in az.fails("ad", "group", "show", "-g", group["id"])


def test_the_printed_login_line_takes_a_secret_beginning_with_a_dash(az: Az, local_cloud: LocalCloudServer) -> None:
    """`cloud env --az` prints `--password="$AZURE_CLIENT_SECRET"`: a generated secret may begin with '-',
    which az's argparse took for an option after `-p` (exit 2, "expected one argument")."""
    printed = subprocess.run(
        [str(PROVISION), "cloud", "env", "--az", "--data-dir", str(local_cloud.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (login,) = [line for line in printed.splitlines() if line.startswith("az login")]
    env = {**az.env, "AZURE_CLIENT_SECRET": "-" + az.env["AZURE_CLIENT_SECRET"]}
    ran = subprocess.run(["bash", "-c", login], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "expected one argument" not in ran.stderr, ran.stderr
