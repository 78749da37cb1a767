"""web_app through azure-mgmt-web (`Microsoft.Web/sites`): PUT to create, PATCH for what changes.

The identity block works as on a virtual machine (additions only on an `existing` app, taken back by
`restore`). App settings are the site's `config/appsettings`, not part of the site: a site GET leaves
`siteConfig.appSettings` null, so a read costs two calls, the site GET and `POST config/appsettings/list`
(`list_application_settings`): a web app is read twice on a re-plan, as Azure requires.
A new app gets its settings with the site PUT (`siteConfig.appSettings`); a change writes them with `PUT
config/appsettings` (`update_application_settings`), and PATCHes the site only when something else changed.
Settings compare as a subset: settings someone else added stay, and are kept when provision writes
settings (App Service replaces the whole set on every write).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from provisioner.kinds.web_app import WebAppSpec
from provisioner.providers import identity
from provisioner.providers.arm import (
    ArmProvider,
    delete_if_present,
    get_or_none,
    group_and_name,
    location_for,
    merged_tags,
    observed,
    parse_id,
    rest,
    tracked_attributes,
)
from provisioner.providers.base import AttributeChange, Desired, Observed, ProviderContext
from provisioner.providers.identity import IdentityHolder


class WebAppProvider(IdentityHolder[WebAppSpec]):
    managed = (*ArmProvider.managed, "plan", "runtime", "https_only", "app_settings", "identity")

    def fetch(self, ctx: ProviderContext, group: str, name: str) -> Any:
        return ctx.clients.web.web_apps.get(group, name)

    def patch(self, ctx: ProviderContext, group: str, name: str, body: dict[str, Any]) -> Any:
        return ctx.clients.web.web_apps.update(group, name, body)

    def matches(self, path: str, wanted: Any, live: Any) -> bool:
        if path == "app_settings":
            live_settings = dict(live or {})
            return all(live_settings.get(key) == value for key, value in dict(wanted).items())
        return super().matches(path, wanted, live)

    def read(self, ctx: ProviderContext, desired: Desired[WebAppSpec]) -> Observed | None:
        group, name = group_and_name(desired)
        found = get_or_none(lambda: self.fetch(ctx, group, name))
        if found is None:
            return None
        settings = rest(ctx.clients.web.web_apps.list_application_settings(group, name))
        return _observe(rest(found), settings.get("properties") or {})

    def create(self, ctx: ProviderContext, desired: Desired[WebAppSpec]) -> Observed:
        spec = desired.spec
        settings = _settings(spec)
        body: dict[str, Any] = {
            "location": location_for(ctx, desired),
            "tags": merged_tags(desired),
            "kind": "app,linux" if spec.runtime else "app",
            "properties": {
                "serverFarmId": str(spec.plan),  # required of a created app
                "httpsOnly": spec.https_only,
                "siteConfig": _site_config(spec.runtime, settings),
            },
        }
        wanted_identity = identity.identity_block(identity.requested(spec.identity))
        if wanted_identity["type"] != "None":
            body["identity"] = wanted_identity
        sites = ctx.clients.web.web_apps
        created = sites.begin_create_or_update(*group_and_name(desired), body).result()
        return _observe(rest(created), settings)

    def update(
        self, ctx: ProviderContext, desired: Desired[WebAppSpec], observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        live = observed.attributes
        changed = {change.path for change in changes}
        settings = dict(live.get("app_settings") or {})
        if "app_settings" in changed:
            settings = _write_settings(ctx, desired, {**settings, **_settings(desired.spec)})
        if not changed - {"app_settings"}:
            return replace(observed, attributes={**live, "app_settings": settings})
        return _observe(rest(self.patch(ctx, *group_and_name(desired), _patch(desired, live, changes))), settings)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        sites = ctx.clients.web.web_apps
        delete_if_present(lambda: sites.delete(parts["resource_group"], parts["name"]))


def _settings(spec: WebAppSpec) -> dict[str, str]:
    """The scenario's app settings, references resolved."""
    return {key: str(value) for key, value in spec.app_settings.items()}


def _site_config(runtime: str | None, settings: Mapping[str, str]) -> dict[str, Any]:
    """A new site's `siteConfig`: its app settings (stored with the site at creation) and runtime."""
    config: dict[str, Any] = {"appSettings": [{"name": key, "value": value} for key, value in settings.items()]}
    if runtime:
        config["linuxFxVersion"] = runtime
    return config


def _write_settings(ctx: ProviderContext, desired: Desired[WebAppSpec], settings: dict[str, str]) -> dict[str, str]:
    """Replace the app's settings with `settings` (`PUT config/appsettings`); what App Service then holds."""
    sites = ctx.clients.web.web_apps
    written = sites.update_application_settings(*group_and_name(desired), {"properties": settings})
    return dict(rest(written).get("properties") or {})


def _patch(desired: Desired[WebAppSpec], live: Mapping[str, Any], changes: list[AttributeChange]) -> dict[str, Any]:
    """The site PATCH for the changes other than app settings."""
    spec = desired.spec
    changed = {change.path for change in changes}
    patch: dict[str, Any] = {"properties": {}}
    if "tags" in changed:
        patch["tags"] = merged_tags(desired, live.get("tags"))
    if "identity" in changed:
        after = next(change.after for change in changes if change.path == "identity")
        patch["identity"] = identity.identity_block(after, live.get("identity"))
    if "plan" in changed:
        patch["properties"]["serverFarmId"] = str(spec.plan)
    if "https_only" in changed:
        patch["properties"]["httpsOnly"] = spec.https_only
    if "runtime" in changed:
        patch["properties"]["siteConfig"] = {"linuxFxVersion": spec.runtime}
    return patch


def _observe(body: Mapping[str, Any], settings: Mapping[str, str]) -> Observed:
    properties = body.get("properties") or {}
    site_config = properties.get("siteConfig") or {}
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "plan": properties.get("serverFarmId"),
        "runtime": site_config.get("linuxFxVersion") or None,
        "https_only": bool(properties.get("httpsOnly")),
        "app_settings": dict(settings),
        "identity": identity.identity_of(body),
    }
    exports = {
        "id": body["id"],
        "name": body["name"],
        "default_host_name": properties.get("defaultHostName"),
        **identity.identity_exports(body),
    }
    return observed(body, attributes, exports)
