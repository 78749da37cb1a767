"""What the managed-identity endpoints and token validation refuse, as Azure does: tokens for resources
no service principal has (AADSTS500011), proxied IMDS requests, and tokens whose `tid` is not their
issuer's tenant (ARM and Graph)."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients, helpers_web

GROUP = "identity-guards-rg"
ARM = "https://management.azure.com/"
EVIL = "https://evil.example/"


@pytest.fixture(scope="module")
def vm_token_url(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    subnet = builders.group_with_subnet(local_cloud, operator_credential, GROUP)
    vm = builders.vm(local_cloud, operator_credential, GROUP, "guarded-vm", subnet, {"type": "SystemAssigned"})
    authority = builders.vm_environment(local_cloud, vm.id)["AZURE_POD_IDENTITY_AUTHORITY_HOST"]
    return f"{authority}/metadata/identity/oauth2/token"


@pytest.fixture(scope="module")
def site_id(local_cloud: LocalCloudServer, operator_credential: Any, vm_token_url: str) -> str:
    plan = helpers_web.plan(local_cloud, operator_credential, GROUP, "guarded-plan")
    site = helpers_web.site(local_cloud, operator_credential, GROUP, "guarded-app", plan.id, {"type": "SystemAssigned"})
    return str(site.id)


@pytest.fixture
def http(local_cloud: LocalCloudServer) -> Iterator[httpx.Client]:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(local_cloud.ca_cert)), timeout=30) as client:
        yield client


def _imds(http: httpx.Client, url: str, resource: str, **headers: str) -> httpx.Response:
    return http.get(url, params={"api-version": "2018-02-01", "resource": resource}, headers=headers)


def test_imds_answers_a_known_resource(http: httpx.Client, vm_token_url: str) -> None:
    answer = _imds(http, vm_token_url, ARM, Metadata="true")
    assert answer.status_code == 200, answer.text
    assert answer.json()["resource"] == ARM


def test_imds_refuses_a_resource_no_service_principal_has(
    local_cloud: LocalCloudServer, http: httpx.Client, vm_token_url: str
) -> None:
    answer = _imds(http, vm_token_url, EVIL, Metadata="true")
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == "invalid_resource"
    assert body["error_description"].startswith(
        f"AADSTS500011: The resource principal named {EVIL} was not found in the tenant named "
        f"{local_cloud.cloud.identity.tenant_id}."
    )
    assert "access_token" not in answer.text


def test_managed_identity_credential_reports_the_unknown_resource(
    local_cloud: LocalCloudServer, vm_token_url: str
) -> None:
    code = (
        "from azure.identity import ManagedIdentityCredential\n"
        "try:\n"
        f"    ManagedIdentityCredential().get_token('{EVIL}.default')\n"
        "    print('issued')\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    authority = vm_token_url.removesuffix("/metadata/identity/oauth2/token")
    done = clients.run_inside({"AZURE_POD_IDENTITY_AUTHORITY_HOST": authority}, local_cloud, code)
    assert done.returncode == 0, done.stderr
    assert "issued" not in done.stdout
    assert "AADSTS500011" in done.stdout


def test_imds_refuses_a_proxied_request_and_one_without_the_metadata_header(
    http: httpx.Client, vm_token_url: str
) -> None:
    proxied = _imds(http, vm_token_url, ARM, Metadata="true", **{"X-Forwarded-For": "203.0.113.7"})
    assert proxied.status_code == 400
    assert proxied.json()["error"] == "invalid_request"
    assert "X-Forwarded-For" in proxied.json()["error_description"]
    assert "access_token" not in proxied.text

    bare = _imds(http, vm_token_url, ARM)
    assert bare.status_code == 400
    assert bare.json() == {"error": "invalid_request", "error_description": "Required metadata header not specified"}


def test_app_service_refuses_a_resource_no_service_principal_has(local_cloud: LocalCloudServer, site_id: str) -> None:
    answer = helpers_web.token_request(local_cloud, site_id, EVIL)
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"statusCode", "message", "correlationId"}
    assert body["statusCode"] == 400
    assert body["message"].startswith(f"AADSTS500011: The resource principal named {EVIL} was not found")
    assert helpers_web.token_request(local_cloud, site_id, ARM).status_code == 200


def _foreign_tid_token(local_cloud: LocalCloudServer, audience: str) -> clients.StaticToken:
    """The operator's token, signed by this cloud's key and issuer, but naming another tenant in `tid`."""
    identity = local_cloud.cloud.identity
    issued = local_cloud.cloud.tokens.issue(
        audience=audience,
        object_id=identity.operator_object_id,
        app_id=identity.operator_client_id,
        roles=("Group.ReadWrite.All", "Directory.Read.All"),
        extra_claims={"tid": str(uuid.uuid4())},
    )
    return clients.StaticToken(issued.token)


def test_arm_refuses_a_token_whose_tenant_is_not_its_issuers(local_cloud: LocalCloudServer) -> None:
    arm = clients.resources(local_cloud, _foreign_tid_token(local_cloud, ARM))
    with pytest.raises(ClientAuthenticationError) as refused:
        list(arm.resource_groups.list())
    assert refused.value.status_code == 401
    assert refused.value.error is not None and refused.value.error.code == "InvalidAuthenticationToken"


def test_graph_refuses_a_token_whose_tenant_is_not_its_issuers(local_cloud: LocalCloudServer) -> None:
    token = _foreign_tid_token(local_cloud, "https://graph.microsoft.com")
    with pytest.raises(ODataError) as refused:
        clients.run_msgraph(local_cloud, token, lambda graph: graph.groups.get())
    assert refused.value.response_status_code == 401
    assert refused.value.error is not None and refused.value.error.code == "InvalidAuthenticationToken"
