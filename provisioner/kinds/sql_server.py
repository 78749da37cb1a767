"""sql_server: a logical Azure SQL server (Microsoft.Sql/servers)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, NameRule, Peers, Placed, Secret


class SqlServerSpec(Placed):
    """A SQL server; its Entra admin is a sql_entra_admin resource."""

    administrator_login: str | None = Field(None, description="The SQL administrator login.")
    administrator_password: Secret | None = Field(None, description="The SQL administrator's password.")
    minimal_tls_version: Literal["1.2", "1.3"] = Field("1.2", description="The oldest TLS version it accepts.")
    allow_azure_services: bool = Field(True, description="A firewall rule letting Azure services (such as the VM) in.")


# Azure refuses these as the server admin login (400 InvalidParameterValue), in any case.
RESERVED_LOGINS = frozenset(
    {"admin", "administrator", "sa", "root", "dbmanager", "loginmanager", "dbo", "guest", "public"}
)


def _rules(spec: SqlServerSpec, peers: Peers) -> list[Issue]:
    login = spec.administrator_login
    if isinstance(login, str) and login.lower() in RESERVED_LOGINS:
        message = f"'{login}' is reserved: Azure SQL refuses it as administrator_login"
        return [Issue(("administrator_login",), message, "choose another login, e.g. sqladmin")]
    return []


KIND = KindInfo(
    step_cost=4.0,
    name="sql_server",
    spec=SqlServerSpec,
    exports={"id": str, "name": str, "fqdn": str},
    lookup=("name", "resource_group"),
    required=frozenset({"administrator_login", "administrator_password"}),
    globally_unique=True,
    secrets=frozenset({"administrator_password"}),
    name_rule=NameRule(
        r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?",
        "use 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen",
        "SQL server",
    ),
    rules=_rules,
    provider="provisioner.providers.sql_server:SqlServerProvider",
    sdk_modules=("azure.mgmt.sql",),
)
