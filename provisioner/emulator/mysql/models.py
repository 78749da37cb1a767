"""Microsoft.DBforMySQL/flexibleServers as Azure shapes and refuses them (REST spec 2023-12-30 examples):
server bodies with their user-assigned identities, databases, firewall rules, the Entra administrator."""

from __future__ import annotations

import re
from typing import Any

from provisioner.emulator.arm.tracked import name_taken
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource

PROVIDER = "Microsoft.DBforMySQL"
SERVER_TYPE = f"{PROVIDER}/flexibleServers"
DATABASE_TYPE = f"{SERVER_TYPE}/databases"
FIREWALL_RULE_TYPE = f"{SERVER_TYPE}/firewallRules"
ADMIN_TYPE = f"{SERVER_TYPE}/administrators"
ADMIN_NAME = "ActiveDirectory"
FQDN_SUFFIX = "mysql.database.azure.com"
VERSIONS = frozenset({"5.7", "8.0.21", "8.4"})
TIERS = frozenset({"Burstable", "GeneralPurpose", "MemoryOptimized"})
SYSTEM_DATABASES = frozenset({"information_schema", "mysql", "performance_schema", "sys"})
# Which Graph application permissions the server's identity needs before it can have an Entra admin.
REQUIRED_GRAPH_PERMISSIONS = ("User.Read.All", "GroupMember.Read.All", "Application.Read.All")
_SERVER_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_$-]{1,64}$")
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$")
_RESERVED_LOGINS = frozenset(
    {"azure_superuser", "admin", "administrator", "root", "guest", "public", "azure_pg_admin", "sa"}
)


def invalid_parameter(message: str) -> CloudServiceError:
    return CloudServiceError(400, "InvalidParameterValue", message)


def child_not_found(kind: str, name: str) -> CloudServiceError:
    return CloudServiceError(
        404, "ResourceNotFound", f"The requested resource of type '{kind}' with name '{name}' was not found."
    )


def check_server_name(name: str) -> None:
    if not _SERVER_NAME.fullmatch(name):
        raise CloudServiceError(
            400,
            "InvalidServerName",
            f"The server name '{name}' is invalid. It must be 3 to 63 characters long, contain only lowercase "
            "letters, numbers and hyphens, and not start or end with a hyphen.",
        )


def check_name_free(store: Store, name: str, resource_id: str) -> None:
    """Server names are global (they are DNS names under mysql.database.azure.com)."""
    if name_taken(store, SERVER_TYPE, name, resource_id):
        raise CloudServiceError(
            409,
            "ServerNameAlreadyExists",
            f"Specified server name '{name}' is already used. Please use a different name.",
        )


def check_new_server(properties: dict[str, Any]) -> None:
    login = properties.get("administratorLogin")
    if not isinstance(login, str) or not login:
        raise invalid_parameter("The parameter administratorLogin is required for server creation.")
    if login.lower() in _RESERVED_LOGINS or login.lower().startswith("pg_"):
        raise invalid_parameter(f"Invalid value given for parameter administratorLogin: '{login}' is reserved.")
    if (
        not isinstance(properties.get("administratorLoginPassword"), str)
        or not properties["administratorLoginPassword"]
    ):
        raise invalid_parameter("The parameter administratorLoginPassword is required for server creation.")
    version = properties.get("version", "8.0.21")
    if version not in VERSIONS:
        raise invalid_parameter(f"Invalid value given for parameter version: '{version}'.")


def check_sku(sku: Any) -> dict[str, str]:
    if not isinstance(sku, dict) or not sku.get("name") or sku.get("tier") not in TIERS:
        raise invalid_parameter("Invalid value given for parameter sku. Specify a valid sku name and tier.")
    return {"name": str(sku["name"]), "tier": str(sku["tier"])}


def server_properties(name: str, request: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """The stored properties: the request's over the current ones; the password is never kept in the body."""
    current = current or {}
    storage = {"storageSizeGB": 20, "iops": 360, "autoGrow": "Enabled", "autoIoScaling": "Disabled"}
    storage |= current.get("storage") or {}
    storage |= request.get("storage") or {}
    return {
        "administratorLogin": current.get("administratorLogin", request.get("administratorLogin")),
        "storage": storage,
        "version": current.get("version", request.get("version", "8.0.21")),
        "state": "Ready",
        "fullyQualifiedDomainName": f"{name}.{FQDN_SUFFIX}",
        "replicationRole": "None",
        "network": {
            "publicNetworkAccess": (request.get("network") or current.get("network") or {}).get(
                "publicNetworkAccess", "Enabled"
            )
        },
        "backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"},
        "highAvailability": {"mode": "Disabled", "state": "NotEnabled"},
    }


def check_identity(requested: Any) -> None:
    """MySQL flexible servers take user-assigned identities only."""
    if requested is None:
        return
    kind = str((requested or {}).get("type", "")).replace(" ", "").lower()
    if kind not in ("userassigned", "none", ""):
        raise invalid_parameter(
            f"The identity type '{requested.get('type')}' is not supported. Azure Database for MySQL flexible "
            "server supports 'UserAssigned' identities only."
        )


def check_database_name(name: str) -> None:
    if not _DATABASE_NAME.fullmatch(name) or name.lower() in SYSTEM_DATABASES:
        raise invalid_parameter(f"The database name '{name}' is invalid or reserved.")


def database_body(server: StoredResource, name: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{server.id}/databases/{name}",
        "name": name,
        "type": DATABASE_TYPE,
        "properties": {
            "charset": properties.get("charset") or "utf8mb4",
            "collation": properties.get("collation") or "utf8mb4_0900_ai_ci",
        },
    }


def firewall_body(server: StoredResource, name: str, properties: dict[str, Any]) -> dict[str, Any]:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", name):
        raise invalid_parameter(f"The firewall rule name '{name}' is invalid.")
    start, end = properties.get("startIpAddress"), properties.get("endIpAddress")
    if not (isinstance(start, str) and _IPV4.fullmatch(start) and isinstance(end, str) and _IPV4.fullmatch(end)):
        raise invalid_parameter("The firewall rule's startIpAddress and endIpAddress must be IPv4 addresses.")
    if _ip_value(start) > _ip_value(end):
        raise invalid_parameter("The firewall rule's startIpAddress must not be greater than its endIpAddress.")
    return {
        "id": f"{server.id}/firewallRules/{name}",
        "name": name,
        "type": FIREWALL_RULE_TYPE,
        "properties": {"startIpAddress": start, "endIpAddress": end},
    }


def _ip_value(address: str) -> int:
    value = 0
    for part in address.split("."):
        value = value * 256 + int(part)
    return value


def admin_body(server: StoredResource, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{server.id}/administrators/{ADMIN_NAME}",
        "name": ADMIN_NAME,
        "type": ADMIN_TYPE,
        "properties": {
            "administratorType": "ActiveDirectory",
            "login": properties["login"],
            "sid": properties["sid"],
            "tenantId": properties["tenantId"],
            "identityResourceId": properties["identityResourceId"],
        },
    }


def check_admin_request(properties: dict[str, Any], tenant_id: str) -> None:
    if properties.get("administratorType") != "ActiveDirectory":
        raise invalid_parameter("Invalid value given for parameter administratorType. Specify 'ActiveDirectory'.")
    for field in ("login", "sid", "tenantId", "identityResourceId"):
        if not isinstance(properties.get(field), str) or not properties[field]:
            raise invalid_parameter(f"The parameter {field} is required.")
    if properties["tenantId"].lower() != tenant_id.lower():
        raise invalid_parameter(f"The tenant '{properties['tenantId']}' is not the tenant of the subscription.")


def server_identity_principal(server: StoredResource, identity_resource_id: str) -> str:
    """The principal id of the user-assigned identity the admin names, which must be attached to the server."""
    attached = (server.body.get("identity") or {}).get("userAssignedIdentities") or {}
    for uai_id, details in attached.items():
        if uai_id.lower() == identity_resource_id.lower():
            return str(details["principalId"])
    raise invalid_parameter(
        f"The identity '{identity_resource_id}' is not assigned to the server '{server.body['name']}'. Assign the "
        "user-assigned managed identity to the server before setting a Microsoft Entra administrator."
    )


def missing_graph_permissions(identity_resource_id: str, missing: list[str]) -> CloudServiceError:
    """Written by us (Azure's exact text not found): the portal and docs require these three permissions."""
    return CloudServiceError(
        400,
        "AadAuthIdentityMissingPermissions",
        f"The server identity '{identity_resource_id}' does not have the Microsoft Graph permissions needed for "
        f"Microsoft Entra authentication: {', '.join(missing)}. Grant User.Read.All, GroupMember.Read.All and "
        "Application.Read.All to the identity (or the Directory Readers role), then retry.",
    )
