"""An Entra sign-in to a local MySQL flexible server, checked as Azure checks it: the server (the TLS
server name), the token (signature, issuer, audience ossrdbms, lifetime), the server's Entra admin and
its identity's Graph permissions, then the admin or an AAD user the token's principal is."""

from __future__ import annotations

from provisioner.emulator.core import config
from provisioner.emulator.core.bearer import principal_from_token
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.core.store import DirectoryObject, StoredResource
from provisioner.emulator.graph.app_roles import granted_permissions
from provisioner.emulator.mysql.accounts import ServerAccounts
from provisioner.emulator.mysql.models import ADMIN_NAME, FQDN_SUFFIX, REQUIRED_GRAPH_PERMISSIONS, SERVER_TYPE
from provisioner.emulator.mysql.statements import Caller, error

MAX_USER_NAME = 255
UNKNOWN_DATABASE = 1049
ACCESS_DENIED = 1045
ACCESS_DENIED_DATABASE = 1044


def access_denied(user: str, host: str) -> Exception:
    refused: Exception = error(
        ACCESS_DENIED, f"Access denied for user '{user[:MAX_USER_NAME]}'@'{host}' (using password: YES)"
    )
    return refused


def server_for(cloud: LocalCloud, server_name: str | None) -> StoredResource | None:
    """The server `<name>.mysql.database.azure.com` names."""
    name = (server_name or "").lower().removesuffix("." + FQDN_SUFFIX)
    if not name or "." in name:
        return None
    found = [item for item in cloud.store.list_resources(resource_type=SERVER_TYPE) if item.body["name"] == name]
    return found[0] if found else None


def sign_in(
    cloud: LocalCloud, server_name: str | None, user: str, token: str, database: str | None, host: str
) -> Caller:
    server = server_for(cloud, server_name)
    if server is None or not user or len(user) > MAX_USER_NAME:
        raise access_denied(user, host)
    try:
        principal = principal_from_token(cloud.tokens, token, config.OSSRDBMS_AUDIENCES)
    except CloudServiceError:
        raise access_denied(user, host) from None
    admin = cloud.store.get_resource(f"{server.id}/administrators/{ADMIN_NAME}")
    if admin is None or not _identity_reads_graph(cloud, server, admin):
        raise access_denied(user, host)
    if database and cloud.store.get_resource(f"{server.id}/databases/{database}") is None:
        raise error(UNKNOWN_DATABASE, f"Unknown database '{database}'")
    ids = {principal.object_id, str(principal.app_id or "").lower()} - {""}
    properties = admin.body["properties"]
    if user.lower() == str(properties["login"]).lower() and _is_or_member(cloud, str(properties["sid"]), ids):
        return Caller(cloud.store, server, str(properties["login"]), host, True, database)
    accounts = ServerAccounts(cloud.store, server.id)
    account = accounts.user(user)
    if account is None or not _is_or_member(cloud, account.principal, ids):
        raise access_denied(user, host)
    if database and not accounts.grants(account.name).get(database):
        raise error(ACCESS_DENIED_DATABASE, f"Access denied for user '{account.name}'@'%' to database '{database}'")
    return Caller(cloud.store, server, account.name, host, False, database)


def _identity_reads_graph(cloud: LocalCloud, server: StoredResource, admin: StoredResource) -> bool:
    """Entra sign-ins need the server identity's Graph permissions (Azure looks principals up with them)."""
    wanted = str(admin.body["properties"]["identityResourceId"]).lower()
    attached = (server.body.get("identity") or {}).get("userAssignedIdentities") or {}
    principal = next((str(v["principalId"]) for k, v in attached.items() if k.lower() == wanted), None)
    if principal is None:
        return False
    held = granted_permissions(cloud.store, cloud.identity.tenant_id, principal)
    return all(permission in held for permission in REQUIRED_GRAPH_PERMISSIONS)


def _is_or_member(cloud: LocalCloud, principal: str, ids: set[str]) -> bool:
    """Whether the token's principal (object or client id) is `principal` or a member of that group."""
    if principal.lower() in ids:
        return True
    found = cloud.store.get_directory_object(principal.lower())
    if found is None or found.kind != "group":
        return False
    return any(found.id in cloud.store.groups_of(member) for member in ids)


def resolve_principal(cloud: LocalCloud, name: str, principal_id: str | None) -> DirectoryObject | None:
    """The Entra principal `CREATE AADUSER 'name' [IDENTIFIED BY 'client-or-object-id']` names."""
    store = cloud.store
    if principal_id is not None:
        key = principal_id.strip().lower()
        by_object = store.get_directory_object(key)
        if by_object is not None:
            return by_object
        by_client = store.find_directory_objects(kind="servicePrincipal", app_id=key)
        return by_client[0] if by_client else None
    matches = [
        obj
        for obj in store.find_directory_objects()
        if obj.display_name == name or str(obj.body.get("userPrincipalName", "")).lower() == name.lower()
    ]
    return matches[0] if len(matches) == 1 else None
