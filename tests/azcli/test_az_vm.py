"""The first tutorial with az: a Windows VM with a system-assigned identity that is Reader on its
resource group (`az vm create --assign-identity --role Reader --scope`), which az deploys as a
generated ARM template after reading the image catalogue; then a user-assigned identity added."""

from __future__ import annotations

from tests.azcli.conftest import Az, SignIn

PASSWORD = "Local-cloud-1-password"


def test_vm_create_with_a_reader_identity_then_a_user_assigned_one(az: Az, sign_in: SignIn) -> None:
    group = az.json("group", "create", "-n", "mi-arm-rg", "-l", "westus")
    vm = az.json(
        "vm", "create", "-g", "mi-arm-rg", "-n", "mi-arm-vm", "--image", "Win2022Datacenter",
        "--size", "Standard_B2s", "--admin-username", "azureuser", "--admin-password", PASSWORD,
        "--public-ip-address", "", "--nsg", "",
        "--assign-identity", "--role", "Reader", "--scope", group["id"],
    )  # fmt: skip
    assert vm["powerState"] == "VM running"
    assert vm["privateIpAddress"] == "10.0.0.4"
    assert (vm["identity"]["role"], vm["identity"]["scope"]) == ("Reader", group["id"])
    principal = vm["identity"]["systemAssignedIdentity"]
    roles = az.json("role", "assignment", "list", "--assignee", principal, "--scope", group["id"])
    assert [role["roleDefinitionName"] for role in roles] == ["Reader"]

    deployments = az.json("deployment", "group", "list", "-g", "mi-arm-rg")
    assert [(item["name"][:10], item["properties"]["provisioningState"]) for item in deployments] == [
        ("vm_deploy_", "Succeeded")
    ]
    # The admin password was a secure parameter: the deployment shows its type, never its value.
    assert deployments[0]["properties"]["parameters"]["adminPassword"] == {"type": "SecureString"}
    assert PASSWORD not in az.run("deployment", "group", "show", "-g", "mi-arm-rg", "-n", deployments[0]["name"]).stdout

    # Inside the VM: az login --identity (MSAL asks the VM's metadata endpoint), then Reader's reach.
    inside = sign_in("--vm", vm["id"])
    assert az.json("account", "show")["id"] == inside.json("account", "show")["id"]
    assert inside.json("group", "show", "-n", "mi-arm-rg")["id"] == group["id"]
    assert "AuthorizationFailed" in inside.fails("group", "create", "-n", "not-for-readers", "-l", "westus")

    identity = az.json("identity", "create", "-g", "mi-arm-rg", "-n", "mi-arm-id")
    assigned = az.json("vm", "identity", "assign", "-g", "mi-arm-rg", "-n", "mi-arm-vm", "--identities", identity["id"])
    assert assigned["systemAssignedIdentity"] == principal
    assert [key.lower() for key in assigned["userAssignedIdentities"]] == [identity["id"].lower()]
    az.run("group", "delete", "-n", "mi-arm-rg", "--yes")
