"""App Service's managed-identity endpoint: azure-identity's ManagedIdentityCredential, run inside "the app"
(IDENTITY_ENDPOINT + IDENTITY_HEADER) in a subprocess, and the endpoint's refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients
from tests.emulator.helpers_web import LOCATION, https, identity_environment, plan, site, token_request, web

GROUP = "web-identity-rg"
ARM = "https://management.azure.com/"
PROBE = """
import json, sys
import jwt
from azure.identity import ManagedIdentityCredential
try:
    token = ManagedIdentityCredential(**KWARGS).get_token("https://management.azure.com/.default")
    print(json.dumps(jwt.decode(token.token, options={"verify_signature": False})))
except Exception as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
"""


@pytest.fixture(scope="module")
def apps(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(GROUP, {"location": LOCATION})
    app_plan = plan(local_cloud, operator_credential, GROUP, "identity-plan")
    uai = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, "identity-uai", {"location": LOCATION}
    )
    both = {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai.id: {}}}
    return {
        "uai": uai,
        "both": site(local_cloud, operator_credential, GROUP, "identity-both", app_plan.id, both),
        "user_only": site(
            local_cloud,
            operator_credential,
            GROUP,
            "identity-user-only",
            app_plan.id,
            {"type": "UserAssigned", "userAssignedIdentities": {uai.id: {}}},
        ),
        "plan": app_plan,
    }


def _inside(local_cloud: LocalCloudServer, environment: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    done = clients.run_inside(environment, local_cloud, PROBE.replace("KWARGS", repr(kwargs)))
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_managed_identity_credential_works_unchanged_inside_the_app(
    local_cloud: LocalCloudServer, apps: dict[str, Any]
) -> None:
    app, uai = apps["both"], apps["uai"]
    environment = identity_environment(local_cloud, app.id)

    system = _inside(local_cloud, environment)
    assert system["oid"] == app.identity.principal_id
    assert system["aud"] == "https://management.azure.com"
    assert system["tid"] == local_cloud.cloud.identity.tenant_id

    by_client_id = _inside(local_cloud, environment, client_id=uai.client_id)
    assert (by_client_id["oid"], by_client_id["appid"]) == (uai.principal_id, uai.client_id)
    by_resource_id = _inside(local_cloud, environment, identity_config={"resource_id": uai.id})
    assert by_resource_id["oid"] == uai.principal_id
    by_object_id = _inside(local_cloud, environment, identity_config={"object_id": uai.principal_id})
    assert by_object_id["oid"] == uai.principal_id


def test_token_response_has_app_service_shape(local_cloud: LocalCloudServer, apps: dict[str, Any]) -> None:
    answer = token_request(local_cloud, apps["both"].id, ARM, principal_id=apps["uai"].principal_id)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "expires_on", "resource", "token_type", "client_id"}
    assert body["expires_on"].isdigit()
    assert (body["resource"], body["token_type"], body["client_id"]) == (ARM, "Bearer", apps["uai"].client_id)


def test_wrong_identity_header_is_refused(local_cloud: LocalCloudServer, apps: dict[str, Any]) -> None:
    environment = identity_environment(local_cloud, apps["both"].id)
    wrong = environment | {"IDENTITY_HEADER": "not-the-secret"}

    refused = _inside(local_cloud, wrong)
    assert refused["error"] in ("CredentialUnavailableError", "ClientAuthenticationError")

    with https(local_cloud) as http:
        answer = http.get(
            environment["IDENTITY_ENDPOINT"],
            params={"api-version": "2019-08-01", "resource": ARM},
            headers={"X-IDENTITY-HEADER": "not-the-secret"},
        )
        missing = http.get(environment["IDENTITY_ENDPOINT"], params={"api-version": "2019-08-01", "resource": ARM})
    assert answer.status_code == 401
    assert set(answer.json()) == {"statusCode", "message", "correlationId"}
    assert answer.json()["statusCode"] == 401
    assert missing.status_code == 400


def test_without_a_selector_only_the_system_identity_is_used(
    local_cloud: LocalCloudServer, apps: dict[str, Any]
) -> None:
    answer = token_request(local_cloud, apps["user_only"].id, ARM)
    assert answer.status_code == 400
    assert answer.json()["message"] == "Unable to load the proper Managed Identity."
    chosen = token_request(local_cloud, apps["user_only"].id, ARM, client_id=apps["uai"].client_id)
    assert chosen.status_code == 200

    unknown = token_request(local_cloud, apps["both"].id, ARM, client_id="00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 400
    two = token_request(local_cloud, apps["both"].id, ARM, client_id=apps["uai"].client_id, mi_res_id=apps["uai"].id)
    assert two.status_code == 400


def test_secret_is_persisted_and_rotates_when_the_app_is_recreated(
    local_cloud: LocalCloudServer, operator_credential: Any, apps: dict[str, Any]
) -> None:
    app = site(local_cloud, operator_credential, GROUP, "rotate-app", apps["plan"].id, {"type": "SystemAssigned"})
    before = identity_environment(local_cloud, app.id)
    assert identity_environment(local_cloud, app.id) == before

    web(local_cloud, operator_credential).web_apps.delete(GROUP, "rotate-app")
    with https(local_cloud) as http:
        stale = http.get(
            before["IDENTITY_ENDPOINT"],
            params={"api-version": "2019-08-01", "resource": ARM},
            headers={"X-IDENTITY-HEADER": before["IDENTITY_HEADER"]},
        )
    assert stale.status_code == 404

    again = site(local_cloud, operator_credential, GROUP, "rotate-app", apps["plan"].id, {"type": "SystemAssigned"})
    after = identity_environment(local_cloud, again.id)
    assert after["IDENTITY_HEADER"] != before["IDENTITY_HEADER"]
    assert after["IDENTITY_ENDPOINT"] != before["IDENTITY_ENDPOINT"]
