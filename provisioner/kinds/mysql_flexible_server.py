"""mysql_flexible_server: an Azure Database for MySQL flexible server (Microsoft.DBforMySQL/flexibleServers)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import KindInfo, Model, NameRule, Placed, Secret, Text


class FirewallRange(Model):
    start: str = Field(description="The first IPv4 address allowed.")
    end: str = Field(description="The last IPv4 address allowed.")


class MySqlFlexibleServerSpec(Placed):
    """A MySQL flexible server. For Entra sign-ins it needs a user-assigned identity (`identities`)
    holding the Microsoft Graph permissions User.Read.All, GroupMember.Read.All and
    Application.Read.All (graph_app_role_assignment resources), then a mysql_entra_admin."""

    administrator_login: str | None = Field(None, description="The MySQL administrator login.")
    administrator_password: Secret | None = Field(None, description="The MySQL administrator's password.")
    version: Literal["5.7", "8.0.21", "8.4"] = Field("8.0.21", description="The MySQL version.")
    sku_name: str = Field("Standard_B1ms", description="The compute size, e.g. Standard_B1ms, Standard_D2ds_v4.")
    sku_tier: Literal["Burstable", "GeneralPurpose", "MemoryOptimized"] = Field("Burstable", description="The tier.")
    storage_gb: int = Field(20, ge=20, le=16384, description="Storage size in GB.")
    identities: list[Text] = Field(
        [], description="User-assigned identities of the server, as `${uai.id}` (the Entra admin names one)."
    )
    firewall_rules: dict[str, FirewallRange] = Field({}, description="Firewall rules by name: `{start, end}` IPv4.")


KIND = KindInfo(
    name="mysql_flexible_server",
    spec=MySqlFlexibleServerSpec,
    exports={"id": str, "name": str, "fqdn": str},
    lookup=("name", "resource_group"),
    required=frozenset({"administrator_login", "administrator_password"}),
    globally_unique=True,
    secrets=frozenset({"administrator_password"}),
    name_rule=NameRule(
        r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
        "use 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen",
        "MySQL server",
    ),
    provider="provisioner.providers.mysql_flexible_server:MySqlFlexibleServerProvider",
    sdk_modules=("azure.mgmt.mysqlflexibleservers",),
)
