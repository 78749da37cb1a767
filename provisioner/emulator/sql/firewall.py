"""Server firewall rules (`Microsoft.Sql/servers/firewallRules`): the checks Azure SQL makes of a rule and
the body it returns. Error codes and messages are those the REST spec lists for `FirewallRules_CreateOrUpdate`.

`AllowAllWindowsAzureIps` (0.0.0.0 - 0.0.0.0) is the rule the portal's "Allow Azure services and resources
to access this server" switch creates. Rules are child resources of their server: deleting the server, or
its group, deletes them with it."""

from __future__ import annotations

from ipaddress import AddressValueError, IPv4Address, ip_address
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store, StoredResource

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


def firewall_admits(store: Store, server: StoredResource, client_ip: str) -> bool:
    """Whether a login from `client_ip` passes the server's firewall. The local rule: every client of the
    local listener runs on this machine, inside the local cloud as a VM or web app runs inside Azure, so
    `AllowAllWindowsAzureIps` admits it; otherwise a rule's range must hold its address (127.0.0.1)."""
    rules = store.list_resources(parent=server.id, resource_type=FIREWALL_RULE_TYPE)
    if any(rule.body["name"] == ALLOW_AZURE_SERVICES for rule in rules):
        return True
    try:
        address = ip_address(client_ip)
    except ValueError:
        return False
    for rule in rules:
        start, end = (ip_address(rule.body["properties"][key]) for key in ("startIpAddress", "endIpAddress"))
        if address.version == start.version and start <= address <= end:  # type: ignore[operator]
            return True
    return False


def firewall_refusal(server_name: str, client_ip: str) -> str:
    """Azure SQL's words for error 40615."""
    return (
        f"Cannot open server '{server_name}' requested by the login. Client with IP address '{client_ip}' is not "
        "allowed to access the server.  To enable access, use the Windows Azure Management Portal or run "
        "sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address "
        "range.  It may take up to five minutes for this change to take effect."
    )


def rule_body(server_id: str, name: str, properties: dict[str, str]) -> dict[str, Any]:
    return {
        "id": f"{server_id}/firewallRules/{name}",
        "name": name,
        "type": FIREWALL_RULE_TYPE,
        "properties": properties,
    }
