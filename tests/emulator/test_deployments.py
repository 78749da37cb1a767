"""Template deployments at resource-group scope through azure-mgmt-resource: each resource is created
through the cloud's own routes in dependsOn order; template errors are 400 InvalidTemplate before
anything exists; a refused resource fails the deployment with the refusal in its details."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.deployments import DeploymentsMgmtClient

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients

VNET = "Microsoft.Network/virtualNetworks"
SUBNET_ID = "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('vnet'), 'inner')]"
NIC_REFERENCE = "reference(format('{0}-nic', parameters('vnet')))"


def _template(resources: list[dict[str, Any]], **sections: Any) -> dict[str, Any]:
    return {"$schema": "x", "contentVersion": "1.0.0.0", "resources": resources, **sections}


def _vnet(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": VNET,
        "apiVersion": "2024-05-01",
        "name": name,
        "location": "[resourceGroup().location]",
        "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}},
        **extra,
    }


def _client(server: LocalCloudServer, credential: Any) -> DeploymentsMgmtClient:
    return DeploymentsMgmtClient(credential, server.cloud.identity.subscription_id, **clients.mgmt_options(server))


def _deploy(client: DeploymentsMgmtClient, group: str, name: str, template: Any, parameters: Any = None) -> Any:
    properties = {"mode": "Incremental", "template": template, "parameters": parameters or {}}
    return client.deployments.begin_create_or_update(group, name, {"properties": properties}).result()


@pytest.fixture(scope="module")
def client(local_cloud: LocalCloudServer, operator_credential: ClientSecretCredential) -> DeploymentsMgmtClient:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(
        "deploy-rg", {"location": "westus"}
    )
    return _client(local_cloud, operator_credential)


def test_resources_in_dependency_order_with_children_outputs_and_secure_parameters(
    client: DeploymentsMgmtClient,
) -> None:
    subnets = [{"name": "[variables('subnet')]", "properties": {"addressPrefix": "10.1.0.0/24"}}]
    vnet = _vnet("[parameters('vnet')]")
    vnet["properties"]["subnets"] = subnets
    nic = {
        "type": "Microsoft.Network/networkInterfaces",
        "apiVersion": "2024-05-01",
        "name": "[format('{0}-nic', parameters('vnet'))]",
        "location": "westus",
        "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', parameters('vnet'))]"],
        "properties": {"ipConfigurations": [{"name": "ip", "properties": {"subnet": {"id": SUBNET_ID}}}]},
    }
    address = f"[{NIC_REFERENCE}.ipConfigurations[0].properties.privateIPAddress]"
    template = _template(
        [nic, vnet],  # the NIC first: dependsOn orders them
        parameters={"vnet": {"type": "string"}, "token": {"type": "securestring"}},
        variables={"subnet": "inner"},
        outputs={
            "address": {"type": "string", "value": address},
            "secret": {"type": "securestring", "value": "[parameters('token')]"},
        },
    )
    parameters = {"vnet": {"value": "net1"}, "token": {"value": "not-to-be-kept"}}
    done = _deploy(client, "deploy-rg", "ordered", template, parameters)
    assert done.properties.provisioning_state == "Succeeded"
    assert done.properties.outputs == {"address": {"type": "String", "value": "10.1.0.4"}}
    assert done.properties.parameters["token"] == {"type": "SecureString"}
    assert "not-to-be-kept" not in str(client.deployments.get("deploy-rg", "ordered").as_dict())
    created = [operation.properties.target_resource.resource_type
               for operation in client.deployment_operations.list("deploy-rg", "ordered")]  # fmt: skip
    assert sorted(created) == ["Microsoft.Network/networkInterfaces", "Microsoft.Network/virtualNetworks"]
    assert [item.name for item in client.deployments.list_by_resource_group("deploy-rg")] == ["ordered"]


def test_child_resources_are_nested_under_their_parent(client: DeploymentsMgmtClient) -> None:
    child = {
        "type": "subnets",
        "apiVersion": "2024-05-01",
        "name": "inner",
        "properties": {"addressPrefix": "10.1.0.0/24"},
    }
    properties = {"mode": "Incremental", "template": _template([_vnet("parent", resources=[child])])}
    validated = client.deployments.begin_validate("deploy-rg", "children", {"properties": properties}).result()
    ids = [item.id.split("/providers/")[1] for item in validated.properties.validated_resources]
    assert ids == [f"{VNET}/parent", f"{VNET}/parent/subnets/inner"]
    assert validated.properties.dependencies[0].depends_on[0].resource_name == "parent"


@pytest.mark.parametrize(
    ("template", "parameters", "words"),
    [
        (_template([_vnet("[nosuch('x')]")]), None, "The template function 'nosuch' is not valid"),
        (_template([_vnet("a", dependsOn=["b"]), _vnet("b", dependsOn=["a"])]), None, "Circular dependency"),
        (_template([_vnet("a", dependsOn=["missing"])]), None, "The resource 'missing' is not defined"),
        (_template([_vnet("[parameters('p')]")], parameters={"p": {"type": "string"}}), None, "is not provided"),
        (_template([_vnet("a")]), {"extra": {"value": 1}}, "do not correspond to any parameters"),
        (_template([_vnet("[parameters('p')]")], parameters={"p": {"type": "int"}}), {"p": {"value": "x"}}, "JToken"),
    ],
)
def test_template_errors_are_invalid_template_before_anything_is_created(
    client: DeploymentsMgmtClient, template: Any, parameters: Any, words: str
) -> None:
    properties = {"mode": "Incremental", "template": template, "parameters": parameters or {}}
    with pytest.raises(HttpResponseError) as raised:
        client.deployments.begin_validate("deploy-rg", "bad", {"properties": properties}).result()
    assert clients.azure_error(raised)[:2] == (400, "InvalidTemplate")
    assert words in clients.azure_error(raised)[2]
    with pytest.raises(HttpResponseError):
        _deploy(client, "deploy-rg", "bad", template, parameters)
    assert not any(item.name == "bad" for item in client.deployments.list_by_resource_group("deploy-rg"))


def test_a_refused_resource_fails_the_deployment_with_its_refusal(client: DeploymentsMgmtClient) -> None:
    template = _template([_vnet("ok"), {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
                          "name": "Not_Valid", "location": "westus", "sku": {"name": "Standard_LRS"},
                          "kind": "StorageV2", "dependsOn": ["ok"]}])  # fmt: skip
    with pytest.raises(HttpResponseError) as raised:
        _deploy(client, "deploy-rg", "refused", template)
    assert "DeploymentFailed" in str(raised.value) and "AccountNameInvalid" in str(raised.value)
    failed = client.deployments.get("deploy-rg", "refused")
    assert failed.properties.provisioning_state == "Failed"
    states = {operation.properties.target_resource.resource_name: operation.properties.provisioning_state
              for operation in client.deployment_operations.list("deploy-rg", "refused")}  # fmt: skip
    assert states == {"ok": "Succeeded", "Not_Valid": "Failed"}
    client.deployments.begin_delete("deploy-rg", "refused").result()
    assert not any(item.name == "refused" for item in client.deployments.list_by_resource_group("deploy-rg"))


def test_a_principal_without_deployments_write_is_refused(local_cloud: LocalCloudServer) -> None:
    stranger = _client(local_cloud, clients.stranger(local_cloud, "00000000-0000-0000-0000-00000000beef"))
    with pytest.raises(HttpResponseError) as raised:
        _deploy(stranger, "deploy-rg", "nope", _template([_vnet("x")]))
    assert clients.azure_error(raised)[:2] == (403, "AuthorizationFailed")
