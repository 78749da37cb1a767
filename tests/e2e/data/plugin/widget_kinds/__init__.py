"""A kind added from outside provision, as a package would add one: `sql_firewall_rule`.

Only this package and its entry point (widget_kinds-1.0.dist-info/entry_points.txt) declare it;
validate, schema, plan, apply, verify and destroy pick it up with no edit to provision.
"""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Ability, CheckTarget, KindInfo, Spec, Text


class SqlFirewallRuleSpec(Spec):
    """A firewall rule of an Azure SQL server: the client addresses it lets in."""

    name: str = Field(description="The rule's name.")
    server: Text = Field(description="The server's id, usually ${sql.id}.")
    start_ip: str = Field(description="First IPv4 address let in.")
    end_ip: str = Field(description="Last IPv4 address let in.")


KIND = KindInfo(
    name="sql_firewall_rule",
    spec=SqlFirewallRuleSpec,
    exports={"id": str, "name": str},
    lookup=("name", "server"),
    links={"server": ("sql_server.id",)},
    provider="widget_kinds.provider:SqlFirewallRuleProvider",
    sdk_modules=("azure.mgmt.sql",),
    check_target=CheckTarget(
        abilities={"read": Ability("read the firewall rule through ARM", "arm_read")}, api_version="2021-11-01"
    ),
)
