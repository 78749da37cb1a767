from __future__ import annotations

from provisioner.azure.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import (
    create_and_check,
    full_lifecycle,
    read,
    replan_calls,
    update_and_check,
    update_calls,
)

SITES = PROVIDERS["web_app"]


def plan(clients: Clients, unique: str) -> str:
    builders.group(clients, f"rg-{unique}")
    created = builders.make(clients, "app_service_plan", {"name": "plan", "resource_group": f"rg-{unique}"})
    return str(created.exports["id"])


def test_app_service_plan_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    wanted = desired("app_service_plan", {"name": "plan", "resource_group": f"rg-{unique}"})
    updated = full_lifecycle(clients, wanted, changed(wanted, sku="P1v3"))
    assert updated.attributes["sku"] == "P1v3"
    assert updated.attributes["linux"] is True


def test_web_app_lifecycle(clients: Clients, unique: str) -> None:
    plan_id = plan(clients, unique)
    values = {
        "name": f"app-{unique}",
        "resource_group": f"rg-{unique}",
        "plan": plan_id,
        "runtime": "PYTHON|3.12",
        "app_settings": {"MODE": "one"},
    }
    wanted = desired("web_app", values)
    more = {"app_settings": {"MODE": "two"}, "identity": {"system_assigned": True}, "https_only": False}
    updated = full_lifecycle(clients, wanted, changed(wanted, **more))
    assert updated.attributes["app_settings"] == {"MODE": "two"}
    assert updated.exports["identity.principal_id"]
    assert updated.exports["default_host_name"] == f"app-{unique}.azurewebsites.net"


def test_settings_added_by_others_are_kept(clients: Clients, unique: str) -> None:
    plan_id = plan(clients, unique)
    values = {"name": f"app-{unique}", "resource_group": f"rg-{unique}", "plan": plan_id}
    wanted = desired("web_app", {**values, "app_settings": {"MODE": "one"}})
    PROVIDERS["web_app"].create(RunContext(clients), wanted)
    others = {"properties": {"MODE": "one", "X": "y"}}
    clients.web.web_apps.update_application_settings(f"rg-{unique}", f"app-{unique}", others)
    found = read(clients, wanted)
    assert found is not None
    assert SITES.diff(wanted, found) == []
    updated = update_and_check(clients, found, changed(wanted, app_settings={"MODE": "two"}))
    assert updated.attributes["app_settings"] == {"MODE": "two", "X": "y"}


def test_app_settings_live_in_the_app_configuration_not_the_site(
    clients: Clients, unique: str, local_cloud: LocalCloudServer
) -> None:
    plan_id = plan(clients, unique)
    group, name = f"rg-{unique}", f"app-{unique}"
    values = {"name": name, "resource_group": group, "plan": plan_id, "app_settings": {"MODE": "one", "LEVEL": "1"}}
    wanted = desired("web_app", values)
    created = create_and_check(clients, wanted)
    assert created.attributes["app_settings"] == {"MODE": "one", "LEVEL": "1"}
    assert clients.web.web_apps.list_application_settings(group, name).properties == {"MODE": "one", "LEVEL": "1"}
    assert clients.web.web_apps.get(group, name).site_config.app_settings is None  # the site GET does not leak them

    more = changed(wanted, app_settings={"MODE": "two", "LEVEL": "1"})
    assert [change.path for change in SITES.diff(more, created)] == ["app_settings"]
    updated, applied = update_calls(clients, local_cloud, created, more)
    assert applied["PUT update_app_settings"] == 1
    assert "PATCH update_site" not in applied  # only the settings changed
    assert updated.attributes["app_settings"] == {"MODE": "two", "LEVEL": "1"}
    assert replan_calls(clients, local_cloud, more) == (2, 0, 0)  # reads: the site and its settings


def test_existing_web_app_identity_is_restored(clients: Clients, unique: str) -> None:
    plan_id = plan(clients, unique)
    lookup = {"name": f"app-{unique}", "resource_group": f"rg-{unique}"}
    builders.make(clients, "web_app", {**lookup, "plan": plan_id})
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    wanted = desired("web_app", {**lookup, "identity": {"user_assigned": [uai.exports["id"]]}}, existing=True)
    found = read(clients, wanted)
    assert found is not None
    changes = SITES.diff(wanted, found)
    prior = SITES.prior_values(found, changes)
    attached = update_and_check(clients, found, wanted)
    assert [u.lower() for u in attached.attributes["identity"]["user_assigned"]] == [uai.exports["id"].lower()]
    SITES.restore(RunContext(clients), attached, prior)
    restored = read(clients, wanted)
    assert restored is not None
    assert restored.attributes["identity"] == {"system_assigned": False, "user_assigned": []}
