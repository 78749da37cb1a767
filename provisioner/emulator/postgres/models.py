"""Microsoft.DBforPostgreSQL/flexibleServers bodies as Azure returns them, and what Azure refuses in a
request (checked against the REST spec's examples, api-version 2025-08-01)."""

from __future__ import annotations

import re
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store

PROVIDER = "Microsoft.DBforPostgreSQL"
SERVER_TYPE = f"{PROVIDER}/flexibleServers"
DATABASE_TYPE = f"{SERVER_TYPE}/databases"
FIREWALL_TYPE = f"{SERVER_TYPE}/firewallRules"
ADMIN_TYPE = f"{SERVER_TYPE}/administrators"
HOST_SUFFIX = ".postgres.database.azure.com"
VERSIONS = frozenset({"11", "12", "13", "14", "15", "16", "17", "18"})
TIERS = frozenset({"Burstable", "GeneralPurpose", "MemoryOptimized"})
PRINCIPAL_TYPES = frozenset({"User", "Group", "ServicePrincipal"})
SYSTEM_DATABASES = frozenset({"postgres", "azure_maintenance", "azure_sys", "template0", "template1"})
_SERVER_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])")
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)")
_RESERVED_LOGINS = frozenset({"azure_superuser", "azure_pg_admin", "admin", "administrator", "root", "guest", "public"})


def invalid(message: str, code: str = "InvalidParameterValue") -> CloudServiceError:
    return CloudServiceError(400, code, message)


def check_server_name(name: str) -> None:
    if not _SERVER_NAME.fullmatch(name):
        raise invalid(
            f"Server name '{name}' is not valid. It can contain only lowercase letters, numbers and hyphens, "
            "between 3 and 63 characters, and cannot start or end with a hyphen.",
            "InvalidServerName",
        )


def check_name_available(store: Store, name: str, server_id: str) -> None:
    """Server names are DNS names under postgres.database.azure.com: unique across Azure."""
    for server in store.list_resources(resource_type=SERVER_TYPE):
        if server.body["name"] == name and server.id.lower() != server_id.lower():
            raise CloudServiceError(409, "ServerNameAlreadyExists", "Specified server name is already used.")


def _enabled(value: object, default: str, what: str) -> str:
    if value is None:
        return default
    if value not in ("Enabled", "Disabled"):
        raise invalid(f"The value '{value}' of {what} is not valid. Use Enabled or Disabled.")
    return str(value)


def auth_config(request: dict[str, Any], current: dict[str, Any] | None, tenant_id: str) -> dict[str, Any]:
    previous = current or {"activeDirectoryAuth": "Disabled", "passwordAuth": "Enabled"}
    config = {
        "activeDirectoryAuth": _enabled(
            request.get("activeDirectoryAuth"), previous["activeDirectoryAuth"], "activeDirectoryAuth"
        ),
        "passwordAuth": _enabled(request.get("passwordAuth"), previous["passwordAuth"], "passwordAuth"),
    }
    if config["activeDirectoryAuth"] == "Disabled" and config["passwordAuth"] == "Disabled":
        raise invalid("At least one authentication method (Microsoft Entra or password) must be enabled.")
    if config["activeDirectoryAuth"] == "Enabled":
        config["tenantId"] = request.get("tenantId") or previous.get("tenantId") or tenant_id
    return config


def check_admin_login(properties: dict[str, Any], password_auth: bool) -> str | None:
    """The admin login of a new server: required (with its password) when password sign-in is on."""
    login, password = properties.get("administratorLogin"), properties.get("administratorLoginPassword")
    if not password_auth:
        return str(login) if login else None
    if not login or not password:
        raise invalid(
            "The administrator login and password are required when password authentication is enabled.",
            "AdministratorLoginAndPasswordRequired",
        )
    if str(login).lower() in _RESERVED_LOGINS or str(login).lower().startswith("pg_"):
        raise invalid(f"The administrator login '{login}' is reserved. Choose another login.", "InvalidAdminLogin")
    if len(str(password)) < 8 or len(str(password)) > 128:
        raise invalid("The password must be between 8 and 128 characters.", "InvalidPassword")
    return str(login)


def sku_of(request: dict[str, Any], current: dict[str, Any] | None) -> dict[str, str]:
    sku = request.get("sku") or current
    if not isinstance(sku, dict) or not sku.get("name") or sku.get("tier") not in TIERS:
        raise invalid("The sku name and tier (Burstable, GeneralPurpose, MemoryOptimized) are required.")
    return {"name": str(sku["name"]), "tier": str(sku["tier"])}


def server_properties(
    name: str, login: str | None, request: dict[str, Any], current: dict[str, Any], tenant_id: str
) -> dict[str, Any]:
    version = str(request.get("version") or current.get("version") or "")
    if version not in VERSIONS:
        raise invalid(f"The version '{version}' is not supported. Use one of {', '.join(sorted(VERSIONS, key=int))}.")
    storage = request.get("storage") or current.get("storage") or {}
    size = int(storage.get("storageSizeGB") or 32)
    if size < 32 or size > 32768:
        raise invalid(f"The storage size {size} GB is not supported: use 32 to 32768.")
    auth = auth_config(request.get("authConfig") or {}, current.get("authConfig"), tenant_id)
    properties: dict[str, Any] = {
        "replica": {"role": "Primary"},
        "storage": {"storageSizeGB": size, "autoGrow": "Disabled", "tier": "P4", "iops": 120, "type": ""},
        "authConfig": auth,
        "dataEncryption": {"type": "SystemManaged"},
        "fullyQualifiedDomainName": f"{name}{HOST_SUFFIX}",
        "version": version,
        "minorVersion": "1",
        "state": "Ready",
        "availabilityZone": "1",
        "backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"},
        "network": {"publicNetworkAccess": "Enabled"},
        "highAvailability": {"mode": "Disabled", "state": "NotEnabled"},
        "replicationRole": "Primary",
        "replicaCapacity": 5,
    }
    if login:
        properties["administratorLogin"] = login
    return properties


def check_firewall_rule(name: str, properties: dict[str, Any]) -> dict[str, str]:
    start, end = properties.get("startIpAddress"), properties.get("endIpAddress")
    if not isinstance(start, str) or not isinstance(end, str) or not _IPV4.fullmatch(start) or not _IPV4.fullmatch(end):
        raise invalid(f"The firewall rule '{name}' needs IPv4 startIpAddress and endIpAddress.")
    if tuple(map(int, start.split("."))) > tuple(map(int, end.split("."))):
        raise invalid("The start IP address of the firewall rule must be less than or equal to the end IP address.")
    return {"startIpAddress": start, "endIpAddress": end}


def check_admin(object_id: str, properties: dict[str, Any], server: dict[str, Any]) -> dict[str, str]:
    if server["properties"]["authConfig"]["activeDirectoryAuth"] != "Enabled":
        raise invalid(
            "Microsoft Entra authentication is not enabled on this server: enable activeDirectoryAuth first.",
            "AadAuthNotEnabled",
        )
    kind, name = properties.get("principalType"), properties.get("principalName")
    if kind not in PRINCIPAL_TYPES or not isinstance(name, str) or not name:
        raise invalid("principalType (User, Group or ServicePrincipal) and principalName are required.")
    tenant = properties.get("tenantId") or server["properties"]["authConfig"].get("tenantId")
    return {"principalType": str(kind), "principalName": name, "objectId": object_id.lower(), "tenantId": str(tenant)}


def child_body(
    parent_id: str, segment: str, name: str, resource_type: str, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": f"{parent_id}/{segment}/{name}",
        "name": name,
        "type": resource_type,
        "properties": properties,
    }
