"""`az deployment group validate/create/show/operation list/delete` with a template of the kind the
quickstarts have (parameters with defaults and allowed values, variables, resourceId, reference,
guid, uniqueString, outputs, a comment), sent as az sends it (the file's text spliced in, JSONC)."""

from __future__ import annotations

from pathlib import Path

from tests.azcli.conftest import Az

TEMPLATE = str(Path(__file__).with_name("data") / "identity-storage-reader.json")


def test_validate_create_list_operations_and_delete(az: Az) -> None:
    az.run("group", "create", "-n", "rg-deploy", "-l", "westus", "-o", "none")
    validated = az.json("deployment", "group", "validate", "-g", "rg-deploy", "-f", TEMPLATE, "-p", "prefix=demo")
    validated_types = [
        item["id"].split("/providers/")[1].rsplit("/", 1)[0] for item in validated["properties"]["validatedResources"]
    ]
    assert validated_types == [
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Authorization/roleAssignments",
    ]
    created = az.json(
        "deployment", "group", "create", "-g", "rg-deploy", "-n", "demo", "-f", TEMPLATE, "-p", "prefix=demo"
    )
    assert created["properties"]["provisioningState"] == "Succeeded"
    outputs = created["properties"]["outputs"]
    identity = az.json("identity", "show", "-g", "rg-deploy", "-n", "demo-id")
    assert outputs["principalId"] == {"type": "String", "value": identity["principalId"]}
    account = az.json("storage", "account", "show", "--ids", outputs["accountId"]["value"])
    assert (account["sku"]["name"], account["kind"]) == ("Standard_LRS", "StorageV2")
    # the role assignment was put with the principal the template read through reference()
    roles = az.json("role", "assignment", "list", "-g", "rg-deploy", "--assignee", identity["principalId"])
    assert [role["roleDefinitionName"] for role in roles] == ["Reader"]
    operations = az.json("deployment", "operation", "group", "list", "-g", "rg-deploy", "-n", "demo")
    assert sorted(item["properties"]["targetResource"]["resourceType"] for item in operations) == sorted(
        validated_types
    )
    assert {item["properties"]["provisioningState"] for item in operations} == {"Succeeded"}

    refused = az.fails(
        "deployment", "group", "create", "-g", "rg-deploy", "-f", TEMPLATE, "-p", "prefix=demo", "sku=Premium_LRS"
    )
    assert "InvalidTemplate" in refused and "not part of the allowed value(s)" in refused
    # A resource the cloud refuses fails the deployment, with the refusal in its details.
    failed = az.fails(
        "deployment", "group", "create", "-g", "rg-deploy", "-n", "bad", "-f", TEMPLATE, "-p", "prefix=Bad_Name"
    )
    assert "DeploymentFailed" in failed and "AccountNameInvalid" in failed
    assert (
        az.json("deployment", "group", "show", "-g", "rg-deploy", "-n", "bad")["properties"]["provisioningState"]
        == "Failed"
    )

    az.run("deployment", "group", "delete", "-g", "rg-deploy", "-n", "demo")
    assert [item["name"] for item in az.json("deployment", "group", "list", "-g", "rg-deploy")] == ["bad"]
