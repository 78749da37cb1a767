"""App Service plans (serverfarms) and web apps (sites): the rules Microsoft.Web applies and the bodies it
returns. Host names are global (`{name}.azurewebsites.net`), so site names are unique across the cloud.

A site's app settings are its `config/appsettings` child resource (a StringDictionary), as in Azure: a site
write may set them through `siteConfig.appSettings`, but a site GET shows that as null; they are read
with `POST config/appsettings/list` and replaced with `PUT config/appsettings`."""

from __future__ import annotations

import re
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.resources.cascade import delete_one

PLAN_TYPE = "Microsoft.Web/serverfarms"
SITE_TYPE = "Microsoft.Web/sites"
CONFIG_TYPE = "Microsoft.Web/sites/config"
APP_SETTINGS = "appsettings"
HOST_SUFFIX = ".azurewebsites.net"
SCM_SUFFIX = ".scm.azurewebsites.net"
# sku name prefix -> tier (the longest matching prefix wins: "EP1" is ElasticPremium, "P1v3" PremiumV3)
SKU_TIERS = {
    "F": "Free",
    "D": "Shared",
    "B": "Basic",
    "S": "Standard",
    "P": "Premium",
    "I": "Isolated",
    "Y": "Dynamic",
    "EP": "ElasticPremium",
}
SITE_CONFIG_DEFAULTS: dict[str, Any] = {
    "numberOfWorkers": 1,
    "linuxFxVersion": "",
    "alwaysOn": False,
    "http20Enabled": False,
    "minTlsVersion": "1.2",
    "scmMinTlsVersion": "1.2",
    "ftpsState": "AllAllowed",
}
MUTABLE_SITE_PROPERTIES = ("httpsOnly", "clientAffinityEnabled", "keyVaultReferenceIdentity", "enabled")
_VERSION_SUFFIX = re.compile(r"(m?v\d)$", re.IGNORECASE)


def plan_sku(requested: dict[str, Any] | None) -> dict[str, Any]:
    """The plan's sku with its tier, family and size filled in from the name (`P1v3` -> PremiumV3)."""
    name = str((requested or {}).get("name") or "")
    if not name:
        raise CloudServiceError(400, "BadRequest", "The parameter sku.name has an invalid value: it is required.")
    prefix = max((key for key in SKU_TIERS if name.upper().startswith(key)), key=len, default=None)
    version = _VERSION_SUFFIX.search(name)
    tier = SKU_TIERS.get(prefix or "", "Standard") + (version.group(1).upper() if version else "")
    family = (prefix or name[:1].upper()) + (version.group(1).lower() if version else "")
    return {
        "name": name,
        "tier": (requested or {}).get("tier") or tier,
        "size": name,
        "family": family,
        "capacity": int((requested or {}).get("capacity") or 1),
    }


def plan_body(base: dict[str, Any], request: dict[str, Any], group: str, subscription: str) -> dict[str, Any]:
    properties = request.get("properties") or {}
    sku = plan_sku(request.get("sku"))
    return base | {
        "kind": request.get("kind") or "app",
        "sku": sku,
        "properties": {
            "status": "Ready",
            "subscription": subscription,
            "maximumNumberOfWorkers": 30,
            "numberOfWorkers": sku["capacity"],
            "geoRegion": base["location"],
            "numberOfSites": 0,
            "perSiteScaling": bool(properties.get("perSiteScaling", False)),
            "elasticScaleEnabled": False,
            "isSpot": False,
            "resourceGroup": group,
            "reserved": bool(properties.get("reserved", False)),
            "isXenon": False,
            "hyperV": False,
            "targetWorkerCount": 0,
            "targetWorkerSizeId": 0,
            "provisioningState": "Succeeded",
            "zoneRedundant": bool(properties.get("zoneRedundant", False)),
        },
    }


def sites_on_plan(store: Store, plan_id: str) -> list[StoredResource]:
    return [
        site
        for site in store.list_resources(resource_type=SITE_TYPE)
        if site.body["properties"]["serverFarmId"].lower() == plan_id.lower()
    ]


def refresh_site_count(store: Store, plan_id: str) -> None:
    plan = store.get_resource(plan_id)
    if plan is None:
        return
    count = len(sites_on_plan(store, plan_id))
    body = plan.body | {"properties": plan.body["properties"] | {"numberOfSites": count}}
    store.put_resource(plan.id, plan.type, plan.parent, body)


def check_plan_empty(store: Store, plan: StoredResource) -> None:
    sites = sites_on_plan(store, plan.id)
    if sites:
        names = ",".join(site.body["name"] for site in sites)
        raise CloudServiceError(
            409,
            "Conflict",
            f"Server farm '{plan.body['name']}' cannot be deleted because it has web app(s) {names} assigned to it.",
        )


def check_site_name_free(store: Store, name: str, site_id: str) -> None:
    for site in store.list_resources(resource_type=SITE_TYPE):
        if site.body["name"].lower() == name.lower() and site.id.lower() != site_id.lower():
            raise CloudServiceError(409, "Conflict", f"Website with given name {name} already exists.")


def find_plan(store: Store, plan_id: object) -> StoredResource:
    """The plan a site's `serverFarmId` names; it must exist."""
    if not isinstance(plan_id, str) or not plan_id:
        raise CloudServiceError(
            400, "BadRequest", "The parameter properties.serverFarmId has an invalid value: it is required."
        )
    plan = store.get_resource(plan_id)
    if plan is None or plan.type != PLAN_TYPE.lower():
        name = plan_id.rstrip("/").rsplit("/", 1)[-1]
        raise CloudServiceError(404, "NotFound", f"Cannot find ServerFarm with name {name}.")
    return plan


def site_properties(
    name: str, group: str, plan: StoredResource, current: dict[str, Any], changes: dict[str, Any], now: str
) -> dict[str, Any]:
    """A site's properties: fixed ones from its name and plan, mutable ones from `current` then `changes`."""
    host, scm = f"{name}{HOST_SUFFIX}", f"{name}{SCM_SUFFIX}"
    site_config = {
        **SITE_CONFIG_DEFAULTS,
        **(current.get("siteConfig") or {}),
        **(changes.get("siteConfig") or {}),
        "appSettings": None,  # kept in config/appsettings: Azure's site GET leaves it null
    }
    mutable = {
        "httpsOnly": False,
        "clientAffinityEnabled": True,
        "keyVaultReferenceIdentity": "SystemAssigned",
        "enabled": True,
        **{key: current[key] for key in MUTABLE_SITE_PROPERTIES if key in current},
        **{key: changes[key] for key in MUTABLE_SITE_PROPERTIES if changes.get(key) is not None},
    }
    return {
        "state": "Running" if mutable["enabled"] else "Stopped",
        "hostNames": [host],
        "repositorySiteName": name,
        "usageState": "Normal",
        "enabledHostNames": [host, scm],
        "availabilityState": "Normal",
        "hostNameSslStates": [
            {"name": host, "sslState": "Disabled", "hostType": "Standard"},
            {"name": scm, "sslState": "Disabled", "hostType": "Repository"},
        ],
        "serverFarmId": plan.id,
        "reserved": plan.body["properties"]["reserved"],
        "isXenon": False,
        "hyperV": False,
        "lastModifiedTimeUtc": now,
        "siteConfig": site_config,
        "scmSiteAlsoStopped": False,
        "clientCertEnabled": False,
        "clientCertMode": "Required",
        "hostNamesDisabled": False,
        "containerSize": 0,
        "dailyMemoryTimeQuota": 0,
        "resourceGroup": group,
        "defaultHostName": host,
        "redundancyMode": "None",
        "storageAccountRequired": False,
        **mutable,
    }


def _invalid_settings() -> CloudServiceError:
    return CloudServiceError(400, "BadRequest", "The parameter properties has an invalid value.")


def requested_app_settings(changes: dict[str, Any]) -> dict[str, str] | None:
    """The settings a site PUT or PATCH sets through `siteConfig.appSettings` ([{name, value}]); None when
    it does not mention them (they stay as they are)."""
    listed = (changes.get("siteConfig") or {}).get("appSettings")
    if listed is None:
        return None
    if not isinstance(listed, list) or not all(isinstance(item, dict) and item.get("name") for item in listed):
        raise _invalid_settings()
    return {str(item["name"]): "" if item.get("value") is None else str(item["value"]) for item in listed}


def settings_dictionary(request: dict[str, Any]) -> dict[str, str]:
    """The `properties` of a StringDictionary: names to string values."""
    properties = request.get("properties")
    if not isinstance(properties, dict) or not all(isinstance(value, str) for value in properties.values()):
        raise _invalid_settings()
    return {str(name): value for name, value in properties.items()}


def _settings_id(site_id: str) -> str:
    return f"{site_id}/config/{APP_SETTINGS}"


def save_app_settings(store: Store, site: dict[str, Any], settings: dict[str, str]) -> None:
    """Replace a site's app settings (App Service keeps no setting the new set leaves out)."""
    body: dict[str, Any] = {
        "id": _settings_id(site["id"]),
        "name": APP_SETTINGS,
        "type": CONFIG_TYPE,
        "properties": settings,
    }
    store.put_resource(body["id"], CONFIG_TYPE, site["id"], body)


def app_settings_body(store: Store, site: StoredResource) -> dict[str, Any]:
    """The site's settings as `config/appsettings/list` answers them (a StringDictionary)."""
    stored = store.get_resource(_settings_id(site.id))
    return {
        "id": _settings_id(site.body["id"]),
        "name": APP_SETTINGS,
        "type": CONFIG_TYPE,
        "kind": site.body.get("kind"),
        "properties": stored.body["properties"] if stored else {},
    }


def delete_plan(store: Store, plan: StoredResource) -> None:
    """Refused while sites run on it, as Azure does."""
    check_plan_empty(store, plan)
    delete_one(store, plan.id)
