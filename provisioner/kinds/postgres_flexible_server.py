"""postgres_flexible_server: an Azure Database for PostgreSQL flexible server
(Microsoft.DBforPostgreSQL/flexibleServers)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, Model, NameRule, Peers, Placed, Secret

PostgresVersion = Literal["13", "14", "15", "16", "17", "18"]


class FirewallRule(Model):
    name: str = Field(description="The rule's name, e.g. `office`.")
    start_ip_address: str = Field(description="The first IPv4 address let in.")
    end_ip_address: str = Field(description="The last IPv4 address let in.")


class PostgresFlexibleServerSpec(Placed):
    """A PostgreSQL flexible server; its Entra admins are postgres_entra_admin resources.

    Sign-in with Microsoft Entra is on (`active_directory_auth`); password sign-in of the server's
    admin login is off unless `password_auth: true`, which needs `administrator_login` and
    `administrator_password` (`${env.NAME}` or `{generate: ...}`).
    """

    version: PostgresVersion = Field("16", description="The PostgreSQL major version.")
    sku_name: str = Field("Standard_B1ms", description="The compute size, e.g. Standard_B1ms, Standard_D2ds_v5.")
    sku_tier: Literal["Burstable", "GeneralPurpose", "MemoryOptimized"] = Field(
        "Burstable", description="The compute tier of `sku_name`."
    )
    storage_size_gb: int = Field(32, ge=32, le=32768, description="Storage in GiB.")
    active_directory_auth: bool = Field(True, description="Whether Microsoft Entra sign-ins are accepted.")
    password_auth: bool = Field(False, description="Whether the admin login may sign in with its password.")
    administrator_login: str | None = Field(None, description="The password admin's login (with `password_auth`).")
    administrator_password: Secret | None = Field(None, description="The password admin's password.")
    firewall_rules: list[FirewallRule] = Field([], description="Public-access firewall rules (IPv4 ranges).")


# Azure refuses these as the admin login, in any case, as well as names starting with pg_.
RESERVED_LOGINS = frozenset({"azure_superuser", "azure_pg_admin", "admin", "administrator", "root", "guest", "public"})


def _rules(spec: PostgresFlexibleServerSpec, peers: Peers) -> list[Issue]:
    issues: list[Issue] = []
    if not spec.active_directory_auth and not spec.password_auth:
        issues.append(Issue(("password_auth",), "a server needs Entra or password sign-in enabled"))
    if spec.password_auth and (spec.administrator_login is None or spec.administrator_password is None):
        issues.append(
            Issue(("administrator_login",), "password_auth needs administrator_login and administrator_password")
        )
    login = spec.administrator_login
    if login is not None and (login.lower() in RESERVED_LOGINS or login.lower().startswith("pg_")):
        message = f"'{login}' is reserved: Azure refuses it as administrator_login"
        issues.append(Issue(("administrator_login",), message, "choose another login, e.g. pgadmin"))
    return issues


KIND = KindInfo(
    name="postgres_flexible_server",
    spec=PostgresFlexibleServerSpec,
    exports={"id": str, "name": str, "fqdn": str},
    lookup=("name", "resource_group"),
    globally_unique=True,
    secrets=frozenset({"administrator_password"}),
    name_rule=NameRule(
        r"[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])",
        "use 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen",
        "PostgreSQL server",
    ),
    rules=_rules,
    provider="provisioner.providers.postgres_flexible_server:PostgresFlexibleServerProvider",
    sdk_modules=("azure.mgmt.postgresqlflexibleservers",),
)
