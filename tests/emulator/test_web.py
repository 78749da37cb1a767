"""Microsoft.Web through azure-mgmt-web: App Service plans and web apps with managed identities."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.web.models import ResourceNameAvailabilityRequest

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients
from tests.emulator.helpers_web import LOCATION, plan, site, site_body, web

GROUP = "web-rg"
OTHER_GROUP = "web-other-rg"


@pytest.fixture(scope="module")
def plan_id(local_cloud: LocalCloudServer, operator_credential: Any) -> str:
    groups = clients.resources(local_cloud, operator_credential).resource_groups
    groups.create_or_update(GROUP, {"location": LOCATION})
    groups.create_or_update(OTHER_GROUP, {"location": LOCATION})
    return str(plan(local_cloud, operator_credential, GROUP, "web-plan").id)


def test_plan_lifecycle(local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str) -> None:
    plans = web(local_cloud, operator_credential).app_service_plans
    created = plans.get(GROUP, "web-plan")
    assert created.id == plan_id
    assert (created.sku.name, created.sku.tier, created.sku.capacity) == ("B1", "Basic", 1)
    assert (created.kind, created.reserved, created.status) == ("linux", True, "Ready")
    assert "web-plan" in [item.name for item in plans.list_by_resource_group(GROUP)]
    assert "web-plan" in [item.name for item in plans.list()]

    premium = plan(local_cloud, operator_credential, GROUP, "premium-plan", linux=False)
    scaled = plans.update(GROUP, "premium-plan", {"sku": {"name": "P1v3", "capacity": 2}})
    assert (scaled.sku.tier, scaled.sku.family, scaled.number_of_workers) == ("PremiumV3", "Pv3", 2)
    assert premium.reserved is False
    plans.delete(GROUP, "premium-plan")
    with pytest.raises(ResourceNotFoundError):
        plans.get(GROUP, "premium-plan")


def test_site_create_shape_and_system_identity(
    local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str
) -> None:
    app = site(local_cloud, operator_credential, GROUP, "shape-app", plan_id, {"type": "SystemAssigned"})

    assert (app.kind, app.state, app.default_host_name) == ("app,linux", "Running", "shape-app.azurewebsites.net")
    assert app.enabled_host_names == ["shape-app.azurewebsites.net", "shape-app.scm.azurewebsites.net"]
    assert app.server_farm_id == plan_id
    assert app.reserved is True
    assert app.site_config.linux_fx_version == "PYTHON|3.11"
    assert app.identity.type == "SystemAssigned"
    assert app.identity.tenant_id == local_cloud.cloud.identity.tenant_id
    principal = local_cloud.cloud.store.get_directory_object(app.identity.principal_id)
    assert principal is not None
    assert (principal.display_name, principal.body["servicePrincipalType"]) == ("shape-app", "ManagedIdentity")
    assert web(local_cloud, operator_credential).app_service_plans.get(GROUP, "web-plan").number_of_sites >= 1


def test_put_without_identity_keeps_it_and_patch_changes_it(
    local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str
) -> None:
    apps = web(local_cloud, operator_credential).web_apps
    first = site(local_cloud, operator_credential, GROUP, "keep-app", plan_id, {"type": "SystemAssigned"})
    again = site(local_cloud, operator_credential, GROUP, "keep-app", plan_id, None)
    assert again.identity.principal_id == first.identity.principal_id

    updated = apps.update(GROUP, "keep-app", {"tags": {"tier": "web"}, "properties": {"httpsOnly": True}})
    assert (updated.tags, updated.https_only) == ({"tier": "web"}, True)
    assert updated.identity.principal_id == first.identity.principal_id

    apps.update(GROUP, "keep-app", {"identity": {"type": "None"}})
    assert apps.get(GROUP, "keep-app").identity.type == "None"
    assert local_cloud.cloud.store.get_directory_object(first.identity.principal_id) is None


def test_site_with_user_assigned_identity(
    local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str
) -> None:
    uai = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, "web-uai", {"location": LOCATION}
    )
    identity = {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai.id: {}}}
    app = site(local_cloud, operator_credential, GROUP, "uai-app", plan_id, identity)
    attached = app.identity.user_assigned_identities[uai.id]
    assert (attached.principal_id, attached.client_id) == (uai.principal_id, uai.client_id)


def test_deleting_a_web_app_deletes_its_service_principal(
    local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str
) -> None:
    app = site(local_cloud, operator_credential, GROUP, "gone-app", plan_id, {"type": "SystemAssigned"})
    assert local_cloud.cloud.store.get_directory_object(app.identity.principal_id) is not None

    web(local_cloud, operator_credential).web_apps.delete(GROUP, "gone-app")

    assert local_cloud.cloud.store.get_directory_object(app.identity.principal_id) is None
    with pytest.raises(ResourceNotFoundError):
        web(local_cloud, operator_credential).web_apps.get(GROUP, "gone-app")


def test_site_needs_an_existing_plan(local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str) -> None:
    missing = plan_id.rsplit("/", 1)[0] + "/no-such-plan"
    with pytest.raises(HttpResponseError) as raised:
        web(local_cloud, operator_credential).web_apps.begin_create_or_update(GROUP, "orphan-app", site_body(missing))
    status, code, message = clients.azure_error(raised)
    assert (status, code) == (404, "NotFound")
    assert message == "Cannot find ServerFarm with name no-such-plan."


def test_site_names_are_global(local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str) -> None:
    site(local_cloud, operator_credential, GROUP, "global-app", plan_id, None)
    other_plan = plan(local_cloud, operator_credential, OTHER_GROUP, "other-plan")
    with pytest.raises(HttpResponseError) as raised:
        web(local_cloud, operator_credential).web_apps.begin_create_or_update(
            OTHER_GROUP, "global-app", site_body(other_plan.id)
        )
    assert clients.azure_error(raised)[:2] == (409, "Conflict")


def test_name_availability_says_taken_invalid_or_free(
    local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str
) -> None:
    site(local_cloud, operator_credential, GROUP, "taken-app", plan_id, None)
    client = web(local_cloud, operator_credential)
    taken = client.check_name_availability(ResourceNameAvailabilityRequest(name="Taken-App", type="Site"))
    assert (taken.name_available, taken.reason) == (False, "AlreadyExists")
    assert "taken-app" in taken.message.lower()
    invalid = client.check_name_availability(ResourceNameAvailabilityRequest(name="bad_name!", type="Site"))
    assert (invalid.name_available, invalid.reason) == (False, "Invalid")
    free = client.check_name_availability(ResourceNameAvailabilityRequest(name="free-app", type="Site"))
    assert (free.name_available, free.reason) == (True, None)


def test_a_plan_with_web_apps_cannot_be_deleted(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    client = web(local_cloud, operator_credential)
    busy = plan(local_cloud, operator_credential, OTHER_GROUP, "busy-plan")
    site(local_cloud, operator_credential, OTHER_GROUP, "busy-app", busy.id, None)
    assert client.app_service_plans.get(OTHER_GROUP, "busy-plan").number_of_sites == 1
    with pytest.raises(HttpResponseError) as raised:
        client.app_service_plans.delete(OTHER_GROUP, "busy-plan")
    assert clients.azure_error(raised)[:2] == (409, "Conflict")

    client.web_apps.delete(OTHER_GROUP, "busy-app", delete_empty_server_farm=True)
    with pytest.raises(ResourceNotFoundError):
        client.app_service_plans.get(OTHER_GROUP, "busy-plan")


def test_web_operations_are_authorized(local_cloud: LocalCloudServer, plan_id: str) -> None:
    stranger = clients.stranger(local_cloud, "11111111-1111-1111-1111-111111111111")
    with pytest.raises(HttpResponseError) as raised:
        web(local_cloud, stranger).web_apps.get(GROUP, "shape-app")
    assert clients.azure_error(raised)[:2] == (403, "AuthorizationFailed")


def test_app_settings_are_listed_and_replaced_through_config_not_the_site(
    local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str
) -> None:
    apps = web(local_cloud, operator_credential).web_apps
    body = site_body(plan_id)
    body["properties"]["siteConfig"]["appSettings"] = [{"name": "MODE", "value": "one"}, {"name": "X", "value": "y"}]
    created = apps.begin_create_or_update(GROUP, "settings-app", body).result()
    assert created.site_config.app_settings is None
    assert apps.get(GROUP, "settings-app").site_config.app_settings is None  # Azure's GET leaves them out

    listed = apps.list_application_settings(GROUP, "settings-app")
    assert (listed.id, listed.name, listed.type) == (
        f"{created.id}/config/appsettings",
        "appsettings",
        "Microsoft.Web/sites/config",
    )
    assert listed.properties == {"MODE": "one", "X": "y"}

    replaced = apps.update_application_settings(GROUP, "settings-app", {"properties": {"MODE": "two"}})
    assert replaced.properties == {"MODE": "two"}  # a replacement: X is gone
    apps.update(GROUP, "settings-app", {"tags": {"tier": "web"}})  # a site write without settings keeps them
    assert apps.list_application_settings(GROUP, "settings-app").properties == {"MODE": "two"}


def test_app_settings_go_with_their_site(local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str) -> None:
    apps = web(local_cloud, operator_credential).web_apps
    site(local_cloud, operator_credential, GROUP, "reborn-app", plan_id, None)
    apps.update_application_settings(GROUP, "reborn-app", {"properties": {"SECRET": "s"}})
    apps.delete(GROUP, "reborn-app")
    site(local_cloud, operator_credential, GROUP, "reborn-app", plan_id, None)
    assert apps.list_application_settings(GROUP, "reborn-app").properties == {}


def test_app_settings_must_be_strings(local_cloud: LocalCloudServer, operator_credential: Any, plan_id: str) -> None:
    site(local_cloud, operator_credential, GROUP, "typed-app", plan_id, None)
    with pytest.raises(HttpResponseError) as raised:
        web(local_cloud, operator_credential).web_apps.update_application_settings(
            GROUP, "typed-app", {"properties": {"COUNT": 3}}
        )
    assert clients.azure_error(raised)[:2] == (400, "BadRequest")


def test_listing_app_settings_needs_the_config_list_action(local_cloud: LocalCloudServer, plan_id: str) -> None:
    apps = web(local_cloud, clients.stranger(local_cloud, "33333333-3333-3333-3333-333333333333")).web_apps
    with pytest.raises(HttpResponseError) as listing:
        apps.list_application_settings(GROUP, "shape-app")
    assert clients.azure_error(listing)[:2] == (403, "AuthorizationFailed")
    assert "Microsoft.Web/sites/config/list/action" in clients.azure_error(listing)[2]
    with pytest.raises(HttpResponseError) as writing:
        apps.update_application_settings(GROUP, "shape-app", {"properties": {}})
    assert "Microsoft.Web/sites/config/write" in clients.azure_error(writing)[2]
