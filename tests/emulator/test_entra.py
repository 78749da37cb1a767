"""Entra ID's endpoints, driven by azure-identity and MSAL as they are, and by raw OAuth requests."""

from __future__ import annotations

import ssl
from typing import Any

import jwt
import msal
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential

from provisioner.emulator.core import config
from provisioner.emulator.server import LocalCloudServer

ARM_SCOPE = "https://management.azure.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GRAPH_ROLES = [
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Application.Read.All",
    "User.Read.All",
    "AppRoleAssignment.ReadWrite.All",
]


def post_token(cloud: LocalCloudServer, form: dict[str, str], tenant: str | None = None) -> requests.Response:
    tenant = tenant or cloud.cloud.identity.tenant_id
    return requests.post(f"{cloud.url}/{tenant}/oauth2/v2.0/token", data=form, verify=str(cloud.ca_cert), timeout=30)


def operator_form(cloud: LocalCloudServer, **changes: str) -> dict[str, str]:
    identity = cloud.cloud.identity
    return {
        "grant_type": "client_credentials",
        "client_id": identity.operator_client_id,
        "client_secret": identity.operator_secret,
        "scope": ARM_SCOPE,
    } | changes


def aad_error(response: requests.Response, status: int, error: str, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)
    return body


def test_client_secret_credential_gets_an_arm_token(
    local_cloud: LocalCloudServer, operator_credential: ClientSecretCredential
) -> None:
    identity = local_cloud.cloud.identity
    token = operator_credential.get_token(ARM_SCOPE)
    claims = local_cloud.cloud.tokens.validate(token.token, audiences=config.ARM_AUDIENCES)
    assert claims["aud"] == "https://management.azure.com/"
    assert claims["iss"] == f"https://sts.windows.net/{identity.tenant_id}/"
    assert claims["tid"] == identity.tenant_id
    assert claims["appid"] == identity.operator_client_id
    assert claims["oid"] == identity.operator_object_id
    assert claims["idtyp"] == "app"
    assert "roles" not in claims
    # MSAL computes expires_on as its own clock + expires_in: one second off when a second boundary falls between.
    assert claims["exp"] - 1 <= token.expires_on <= claims["exp"]


def test_graph_token_carries_the_operators_app_roles(
    local_cloud: LocalCloudServer, operator_credential: ClientSecretCredential
) -> None:
    token = operator_credential.get_token(GRAPH_SCOPE)
    claims = local_cloud.cloud.tokens.validate(token.token, audiences=config.GRAPH_AUDIENCES)
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["roles"] == GRAPH_ROLES


def test_wrong_secret_is_refused_with_aadsts7000215(local_cloud: LocalCloudServer) -> None:
    identity = local_cloud.cloud.identity
    credential = ClientSecretCredential(
        identity.tenant_id,
        identity.operator_client_id,
        "not-the-secret",
        authority=local_cloud.url,
        disable_instance_discovery=True,
        connection_verify=str(local_cloud.ca_cert),
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential.get_token(ARM_SCOPE)


def test_wrong_secret_answer_is_entras(local_cloud: LocalCloudServer) -> None:
    response = post_token(local_cloud, operator_form(local_cloud, client_secret="nope"))
    body = aad_error(response, 401, "invalid_client", 7000215)
    assert "Invalid client secret provided." in body["error_description"]
    assert "nope" not in response.text
    assert local_cloud.cloud.identity.operator_secret not in response.text


def test_token_answer_has_entras_fields_and_types(local_cloud: LocalCloudServer) -> None:
    response = post_token(local_cloud, operator_form(local_cloud))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == body["ext_expires_in"] == 3599
    assert "no-store" in response.headers["cache-control"]


@pytest.mark.parametrize(
    ("changes", "status", "error", "code"),
    [
        ({"client_id": "00000000-0000-0000-0000-000000000001"}, 400, "unauthorized_client", 700016),
        ({"client_id": ""}, 400, "invalid_request", 900144),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
        ({"scope": ""}, 400, "invalid_request", 900144),
        ({"scope": "https://management.azure.com/user_impersonation"}, 400, "invalid_scope", 1002012),
        ({"scope": "https://nothing.example/.default"}, 400, "invalid_resource", 500011),
    ],
)
def test_bad_token_requests_get_entras_codes(
    local_cloud: LocalCloudServer, changes: dict[str, str], status: int, error: str, code: int
) -> None:
    aad_error(post_token(local_cloud, operator_form(local_cloud, **changes)), status, error, code)


def test_missing_secret_is_invalid_client(local_cloud: LocalCloudServer) -> None:
    form = operator_form(local_cloud)
    del form["client_secret"]
    aad_error(post_token(local_cloud, form), 401, "invalid_client", 7000218)


def test_unknown_tenant_is_aadsts90002(local_cloud: LocalCloudServer) -> None:
    other = "00000000-0000-0000-0000-0000000000aa"
    body = aad_error(post_token(local_cloud, operator_form(local_cloud), tenant=other), 400, "invalid_request", 90002)
    assert f"Tenant '{other}' not found." in body["error_description"]
    discovery = requests.get(
        f"{local_cloud.url}/{other}/v2.0/.well-known/openid-configuration",
        verify=str(local_cloud.ca_cert),
        timeout=30,
    )
    aad_error(discovery, 400, "invalid_tenant", 90002)


def test_openid_configuration_points_at_the_local_cloud(local_cloud: LocalCloudServer) -> None:
    tenant = local_cloud.cloud.identity.tenant_id
    response = requests.get(
        f"{local_cloud.url}/{tenant}/v2.0/.well-known/openid-configuration",
        verify=str(local_cloud.ca_cert),
        timeout=30,
    )
    document = response.json()
    authority = f"{local_cloud.url}/{tenant}"
    assert document["token_endpoint"] == f"{authority}/oauth2/v2.0/token"
    assert document["authorization_endpoint"] == f"{authority}/oauth2/v2.0/authorize"
    assert document["jwks_uri"] == f"{authority}/discovery/v2.0/keys"
    assert document["issuer"] == f"{authority}/v2.0"
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]


def test_jwks_verifies_issued_tokens(
    local_cloud: LocalCloudServer, operator_credential: ClientSecretCredential
) -> None:
    tenant = local_cloud.cloud.identity.tenant_id
    context = ssl.create_default_context(cafile=str(local_cloud.ca_cert))
    keys = jwt.PyJWKClient(f"{local_cloud.url}/{tenant}/discovery/v2.0/keys", ssl_context=context)
    token = operator_credential.get_token(ARM_SCOPE).token
    key = keys.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="https://management.azure.com/")
    assert claims["tid"] == tenant


def test_msal_uses_the_local_instance_discovery(local_cloud: LocalCloudServer) -> None:
    """MSAL itself accepts an instance discovery URL; this cloud answers it for its own authority."""
    identity = local_cloud.cloud.identity
    session = requests.Session()
    session.verify = str(local_cloud.ca_cert)
    session.trust_env = False
    before = local_cloud.cloud.log.summary()["last"]
    app = msal.ConfidentialClientApplication(
        identity.operator_client_id,
        client_credential=identity.operator_secret,
        authority=f"{local_cloud.url}/{identity.tenant_id}",
        http_client=session,
        instance_discovery=f"{local_cloud.url}/common/discovery/instance",
    )
    result = app.acquire_token_for_client([ARM_SCOPE])
    assert result["token_type"] == "Bearer"
    operations = local_cloud.cloud.log.summary(before)["by_operation"]
    assert operations["GET instance_discovery"] == 1


def test_instance_discovery_refuses_other_hosts(local_cloud: LocalCloudServer) -> None:
    response = requests.get(
        f"{local_cloud.url}/common/discovery/instance",
        params={"api-version": "1.1", "authorization_endpoint": "https://example.com/tenant/oauth2/v2.0/authorize"},
        verify=str(local_cloud.ca_cert),
        timeout=30,
    )
    aad_error(response, 400, "invalid_instance", 50049)


def test_errors_echo_the_clients_request_id_as_correlation_id(local_cloud: LocalCloudServer) -> None:
    tenant = local_cloud.cloud.identity.tenant_id
    response = requests.post(
        f"{local_cloud.url}/{tenant}/oauth2/v2.0/token",
        data=operator_form(local_cloud, client_secret="wrong"),
        headers={"client-request-id": "5b3c1f8e-0000-4000-8000-000000000001"},
        verify=str(local_cloud.ca_cert),
        timeout=30,
    )
    body = aad_error(response, 401, "invalid_client", 7000215)
    assert body["correlation_id"] == "5b3c1f8e-0000-4000-8000-000000000001"
