"""sql_entra_admin through azure-mgmt-sql: `administrators/ActiveDirectory` and the Entra-only switch.

Read with one GET of the server (`$expand=administrators`). When the admin replaced one that was
there before, `prior_values` keeps the whole previous admin and `restore` puts it back; with no
previous admin, `restore` deletes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from provisioner.errors import CloudError
from provisioner.kinds.sql_entra_admin import SqlEntraAdminSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id, rest
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext

ADMINISTRATOR = "ActiveDirectory"
ENTRA_ONLY = "Default"
ADMIN_ATTRIBUTES = ("login", "object_id", "principal_type", "entra_only_authentication")


class Admin(NamedTuple):
    """The admin to set: the scenario's, or (on restore) the one it replaced."""

    login: str
    object_id: str
    entra_only: bool


def _wanted_admin(spec: SqlEntraAdminSpec) -> Admin:
    return Admin(str(spec.login), str(spec.object_id), spec.entra_only_authentication)


class SqlEntraAdminProvider(Provider[SqlEntraAdminSpec]):
    managed = ("login", "object_id", "entra_only_authentication")

    def read(self, ctx: ProviderContext, desired: Desired[SqlEntraAdminSpec]) -> Observed | None:
        return _admin(ctx, str(desired.spec.server))

    def create(self, ctx: ProviderContext, desired: Desired[SqlEntraAdminSpec]) -> Observed:
        return self._set(ctx, str(desired.spec.server), _wanted_admin(desired.spec), entra_only_now=False)

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[SqlEntraAdminSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        live = bool(observed.attributes.get("entra_only_authentication"))
        return self._set(ctx, str(desired.spec.server), _wanted_admin(desired.spec), entra_only_now=live)

    def prior_values(self, observed: Observed, changes: list[AttributeChange]) -> dict[str, Any]:
        """The whole admin it replaces, so that `restore` can put that admin back."""
        return {name: observed.attributes.get(name) for name in ADMIN_ATTRIBUTES}

    def restore(self, ctx: ProviderContext, observed: Observed, prior: Mapping[str, Any]) -> None:
        server_id = _server_of(observed.azure_id)
        live = _admin(ctx, server_id)
        if not prior.get("object_id"):
            self.delete(ctx, observed.azure_id, observed.attributes)
            return
        entra_only_now = bool(live and live.attributes.get("entra_only_authentication"))
        admin = Admin(prior["login"], prior["object_id"], bool(prior.get("entra_only_authentication")))
        self._set(ctx, server_id, admin, entra_only_now=entra_only_now)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        server_id = _server_of(azure_id)
        live = _admin(ctx, server_id)
        if live is None:
            return
        server = parse_id(server_id)
        group, name = server["resource_group"], server["name"]
        if live.attributes["entra_only_authentication"]:
            # Azure refuses to remove the admin while only Entra logins are allowed: allow others first.
            _set_entra_only(ctx, group, name, False)
        admins = ctx.clients.sql.server_azure_ad_administrators
        delete_if_present(lambda: admins.begin_delete(group, name, ADMINISTRATOR))

    def _set(self, ctx: ProviderContext, server_id: str, admin: Admin, *, entra_only_now: bool) -> Observed:
        server = parse_id(server_id)
        group, name = server["resource_group"], server["name"]
        properties = {
            "administratorType": "ActiveDirectory",
            "login": admin.login,
            "sid": admin.object_id,
            "tenantId": ctx.clients.tenant_id,
        }
        admins = ctx.clients.sql.server_azure_ad_administrators
        admins.begin_create_or_update(group, name, ADMINISTRATOR, {"properties": properties}).result()
        if admin.entra_only != entra_only_now:
            _set_entra_only(ctx, group, name, admin.entra_only)
        found = _admin(ctx, server_id)
        if found is None:
            raise CloudError(f"the Entra admin set on {server_id} is not there", code="AdminNotFound")
        return found


def _admin(ctx: ProviderContext, server_id: str) -> Observed | None:
    """The server's Entra admin, from one GET of the server with `$expand=administrators`."""
    server = parse_id(server_id)
    servers = ctx.clients.sql.servers
    found = get_or_none(lambda: servers.get(server["resource_group"], server["name"], expand="administrators"))
    admin = (rest(found).get("properties") or {}).get("administrators") if found is not None else None
    return None if not admin or not admin.get("sid") else _observe(server_id, admin)


def _set_entra_only(ctx: ProviderContext, group: str, name: str, enabled: bool) -> None:
    switch = ctx.clients.sql.server_azure_ad_only_authentications
    body = {"properties": {"azureADOnlyAuthentication": enabled}}
    switch.begin_create_or_update(group, name, ENTRA_ONLY, body).result()


def _server_of(admin_id: str) -> str:
    return admin_id.split("/administrators/", 1)[0]


def _observe(server_id: str, admin: Mapping[str, Any]) -> Observed:
    attributes = {
        "login": admin.get("login"),
        "object_id": admin.get("sid"),
        "principal_type": admin.get("principalType"),
        "entra_only_authentication": bool(admin.get("azureADOnlyAuthentication")),
    }
    admin_id = f"{server_id}/administrators/{ADMINISTRATOR}"
    return Observed(admin_id, attributes, {"id": admin_id})
