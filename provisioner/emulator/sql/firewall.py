"""Server firewall rules (`Microsoft.Sql/servers/firewallRules`): the checks Azure SQL makes of a rule and
the body it returns. Error codes and messages are those the REST spec lists for `FirewallRules_CreateOrUpdate`.

`AllowAllWindowsAzureIps` (0.0.0.0 - 0.0.0.0) is the rule the portal's "Allow Azure services and resources
to access this server" switch creates. Rules are child resources of their server: deleting the server, or
its group, deletes them with it."""

from __future__ import annotations

from ipaddress import AddressValueError, IPv4Address
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import StoredResource

FIREWALL_RULE_TYPE = "Microsoft.Sql/servers/firewallRules"
ALLOW_AZURE_SERVICES = "AllowAllWindowsAzureIps"
MAX_NAME_LENGTH = 128


def check_rule_name(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise CloudServiceError(400, "FirewallRuleNameTooLong", "The provided firewall rule name is too long")


def check_public_access(server: StoredResource) -> None:
    """Firewall rules only govern the public endpoint: none can be written while it is disabled."""
    if server.body["properties"].get("publicNetworkAccess") == "Disabled":
        raise CloudServiceError(
            400,
            "DenyPublicEndpointEnabled",
            "Unable to create or modify firewall rules when public network interface for the server is disabled. "
            "To manage server or database level firewall rules, please enable the public network interface.",
        )


def _ipv4(value: object) -> IPv4Address:
    if isinstance(value, str):
        try:
            return IPv4Address(value)
        except AddressValueError:
            pass
    raise CloudServiceError(400, "FirewallRuleNotIPv4Address", "The provided firewall rule address is not IPv4")


def rule_properties(request: dict[str, Any]) -> dict[str, str]:
    """`startIpAddress` and `endIpAddress`: both IPv4, the start not after the end."""
    start, end = _ipv4(request.get("startIpAddress")), _ipv4(request.get("endIpAddress"))
    if start > end:
        raise CloudServiceError(400, "FirewallRuleInvalidRange", "The specified firewall rule range is invalid.")
    return {"startIpAddress": str(start), "endIpAddress": str(end)}


def rule_body(server_id: str, name: str, properties: dict[str, str]) -> dict[str, Any]:
    return {
        "id": f"{server_id}/firewallRules/{name}",
        "name": name,
        "type": FIREWALL_RULE_TYPE,
        "properties": properties,
    }
