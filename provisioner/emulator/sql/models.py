"""Logical servers, databases and the Entra admin: the rules Microsoft.Sql applies, and the bodies it returns.

The Entra admin is kept as a child resource (`servers/{s}/administrators/ActiveDirectory`) that also
carries the server's `azureADOnlyAuthentication` flag, as Azure reports both through that resource.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from provisioner.emulator.arm.tracked import name_taken
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.naming import check_administrator_login
from provisioner.emulator.core.store import DirectoryObject, Store, StoredResource
from provisioner.emulator.graph.directory import visible_to_arm

SERVER_TYPE = "Microsoft.Sql/servers"
DATABASE_TYPE = "Microsoft.Sql/servers/databases"
ADMIN_TYPE = "Microsoft.Sql/servers/administrators"
AAD_ONLY_TYPE = "Microsoft.Sql/servers/azureADOnlyAuthentications"
ADMIN_NAME = "ActiveDirectory"
HOST_SUFFIX = ".database.windows.net"
MASTER = "master"
PRINCIPAL_TYPES = {"user": "User", "group": "Group", "servicePrincipal": "Application"}
DEFAULT_SKU = {"name": "GP_Gen5", "tier": "GeneralPurpose", "family": "Gen5", "capacity": 2}
MASTER_SKU = {"name": "System", "tier": "System", "capacity": 0}
COLLATION = "SQL_Latin1_General_CP1_CI_AS"
MAX_SIZE_BYTES = 34359738368
SERVER_DEFAULTS = {
    "version": "12.0",
    "minimalTlsVersion": "1.2",
    "publicNetworkAccess": "Enabled",
    "restrictOutboundNetworkAccess": "Disabled",
}
_SERVER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_PASSWORD_CLASSES = (r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]")


def check_server_name(name: str) -> None:
    if not _SERVER_NAME.match(name):
        raise CloudServiceError(
            400,
            "InvalidServerName",
            f"Server name '{name}' cannot be empty or null. It can only be made up of lowercase letters 'a'-'z', "
            "the numbers 0-9 and the hyphen. The hyphen may not lead or trail in the name.",
        )


def check_name_available(store: Store, name: str, server_id: str) -> None:
    """Server names are global: they are DNS names under database.windows.net."""
    if name_taken(store, SERVER_TYPE, name, server_id):
        raise CloudServiceError(
            409, "NameAlreadyExists", f"The name '{name}{HOST_SUFFIX}' already exists. Choose a different name."
        )


def _invalid(parameter: str) -> CloudServiceError:
    return CloudServiceError(
        400, "InvalidParameterValue", f"Invalid value given for parameter {parameter}. Specify a valid parameter value."
    )


def new_administrator_login(properties: dict[str, Any], aad_only: bool) -> str:
    """The SQL admin login of a new server; Entra-only servers without one get a generated `CloudSA` login."""
    login = properties.get("administratorLogin")
    password = properties.get("administratorLoginPassword")
    if aad_only and login is None and password is None:
        return f"CloudSA{secrets.token_hex(4)}"
    if not login:
        raise _invalid("Login")
    check_administrator_login(str(login))
    if not password:
        raise _invalid("Password")
    _check_password(str(password))
    return str(login)


def _check_password(password: str) -> None:
    classes = sum(1 for pattern in _PASSWORD_CLASSES if re.search(pattern, password))
    reason = None
    if len(password) < 8:
        reason = ("PasswordTooShort", "too short")
    elif len(password) > 128:
        reason = ("PasswordTooLong", "too long")
    elif classes < 3:
        reason = ("PasswordNotComplex", "not complex enough")
    if reason is not None:
        raise CloudServiceError(
            400,
            reason[0],
            f"Password validation failed. The password does not meet policy requirements because it is {reason[1]}.",
        )


def check_password_change(changes: dict[str, Any], aad_only: bool) -> None:
    """A new SQL admin password: refused while Entra-only authentication is on, checked otherwise."""
    password = changes.get("administratorLoginPassword")
    if password is None:
        return
    if aad_only:
        raise CloudServiceError(
            400,
            "AadOnlyAuthenticationIsEnabled",
            "Azure Active Directory Only Authentication is enabled. Please contact your system administrator.",
        )
    _check_password(str(password))


def server_properties(name: str, login: str, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The stored properties: read-only ones fixed, mutable ones from the change; never the password."""
    mutable = {key: changes[key] for key in SERVER_DEFAULTS if changes.get(key) is not None}
    return {
        "administratorLogin": login,
        "state": "Ready",
        "fullyQualifiedDomainName": f"{name}{HOST_SUFFIX}",
        "privateEndpointConnections": [],
        **SERVER_DEFAULTS,
        **{key: current[key] for key in SERVER_DEFAULTS if key in current},
        **mutable,
    }


def directory_principal(store: Store, sid: str) -> DirectoryObject | None:
    """The user, group or service principal a SQL `sid` names: its object id, or an application's client id."""
    found = store.get_directory_object(sid)
    if found is None:
        by_app = store.find_directory_objects(kind="servicePrincipal", app_id=sid)
        found = by_app[0] if by_app else None
    return found if found is not None and found.kind in PRINCIPAL_TYPES and visible_to_arm(found) else None


def admin_properties(store: Store, tenant_id: str, request: dict[str, Any], aad_only: bool) -> dict[str, Any]:
    """The Entra admin's properties; its sid must name a principal of this tenant's directory."""
    sid = str(request.get("sid") or "")
    if not request.get("login"):
        raise _invalid("login")
    if not sid:
        raise _invalid("sid")
    tenant = str(request.get("tenantId") or tenant_id)
    if tenant.lower() != tenant_id.lower():
        raise _invalid("tenantId")
    if directory_principal(store, sid) is None:
        raise CloudServiceError(400, "PrincipalNotFound", f"Principal {sid} does not exist in the directory {tenant}.")
    return {
        "administratorType": "ActiveDirectory",
        "login": str(request["login"]),
        "sid": sid.lower(),
        "tenantId": tenant_id,
        "azureADOnlyAuthentication": aad_only,
    }


def admin_body(server_id: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{server_id}/administrators/{ADMIN_NAME}",
        "name": ADMIN_NAME,
        "type": ADMIN_TYPE,
        "properties": properties,
    }


def external_admin_view(store: Store, admin: StoredResource) -> dict[str, Any]:
    """The admin as the server's `administrators` block shows it (with the principal type)."""
    properties = admin.body["properties"]
    principal = directory_principal(store, properties["sid"])
    principal_type = {"principalType": PRINCIPAL_TYPES[principal.kind]} if principal else {}
    return {"administratorType": "ActiveDirectory", **principal_type, **properties}


def aad_only_body(server_id: str, enabled: bool) -> dict[str, Any]:
    return {
        "id": f"{server_id}/azureADOnlyAuthentications/Default",
        "name": "Default",
        "type": AAD_ONLY_TYPE,
        "properties": {"azureADOnlyAuthentication": enabled},
    }


def database_properties(
    request: dict[str, Any], previous: dict[str, Any] | None, created: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(sku, properties) of a user database; collation and identity are fixed at creation."""
    sku = request.get("sku") or (previous or {}).get("currentSku") or DEFAULT_SKU
    asked = request.get("properties") or {}
    properties = {
        "collation": (previous or {}).get("collation") or asked.get("collation") or COLLATION,
        "maxSizeBytes": asked.get("maxSizeBytes") or (previous or {}).get("maxSizeBytes") or MAX_SIZE_BYTES,
        "status": "Online",
        "databaseId": (previous or {}).get("databaseId") or str(uuid.uuid4()),
        "creationDate": (previous or {}).get("creationDate") or created,
        "currentServiceObjectiveName": sku["name"],
        "requestedServiceObjectiveName": sku["name"],
        "catalogCollation": COLLATION,
        "zoneRedundant": bool(asked.get("zoneRedundant", False)),
        "readScale": "Disabled",
        "currentSku": sku,
        "requestedBackupStorageRedundancy": "Geo",
        "isLedgerOn": False,
    }
    return sku, properties


def master_body(server: dict[str, Any], created: str) -> dict[str, Any]:
    """The `master` database every logical server has."""
    _, properties = database_properties({"sku": MASTER_SKU}, None, created)
    return {
        "id": f"{server['id']}/databases/{MASTER}",
        "name": MASTER,
        "type": DATABASE_TYPE,
        "location": server["location"],
        "kind": "v12.0,system",
        "sku": MASTER_SKU,
        "managedBy": server["id"],
        "properties": properties | {"maxSizeBytes": 32212254720},
    }


def check_database_location(server: StoredResource, location: str) -> None:
    if location != server.body["location"]:
        raise CloudServiceError(
            400,
            "InvalidResourceLocation",
            f"The database location '{location}' must be the location of its server '{server.body['location']}'.",
        )


def child_not_found(resource_type: str, name: str) -> CloudServiceError:
    """SQL's 404 for a missing child resource of an existing server (admin, firewall rule)."""
    return CloudServiceError(
        404, "ResourceNotFound", f"The requested resource of type '{resource_type}' with name '{name}' was not found."
    )


def check_user_database_name(name: str) -> None:
    if name.lower() == MASTER:
        raise CloudServiceError(
            400,
            "InvalidParameterValue",
            f"The database name '{name}' is reserved: the system database cannot be created, changed or deleted.",
        )
