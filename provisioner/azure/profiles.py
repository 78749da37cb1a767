"""Cloud profiles: the endpoints and token audiences of one Azure cloud.

The public cloud and the sovereign clouds (`--cloud`) are fixed tables; the local cloud takes its
endpoints from a running local cloud (ARM, Entra and Graph all served from one URL) and uses the
audiences of public Azure, as its tokens do.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from provisioner.errors import ConfigurationError

DEFAULT_CLOUD = "AzureCloud"


@dataclass(frozen=True)
class Audiences:
    """The token audience (resource) of each service; a scope is the audience plus `/.default`."""

    arm: str
    msgraph: str
    storage: str
    vault: str
    sql: str
    ossrdbms: str
    """Azure Database for MySQL / PostgreSQL flexible servers (one Entra resource for both)."""


def scope(audience: str) -> str:
    """The client-credentials scope of an audience: `https://management.azure.com/.default`."""
    return audience.rstrip("/") + "/.default"


@dataclass(frozen=True)
class CloudProfile:
    name: str
    arm_endpoint: str  # no trailing slash
    authority_host: str  # Entra ID, as azure-identity takes it (`authority=`)
    msgraph_endpoint: str  # Microsoft Graph, without the version segment
    audiences: Audiences
    local: bool = False
    storage_suffix: str = "core.windows.net"
    postgres_suffix: str = "postgres.database.azure.com"
    poll_interval: float = 5.0
    """Seconds between polls of an asynchronous operation when the service does not say (Retry-After)."""

    @property
    def arm_scope(self) -> str:
        return scope(self.audiences.arm)

    @property
    def graph_scope(self) -> str:
        return scope(self.audiences.msgraph)

    @property
    def sql_scope(self) -> str:
        return scope(self.audiences.sql)

    @property
    def ossrdbms_scope(self) -> str:
        return scope(self.audiences.ossrdbms)

    @property
    def sql_suffix(self) -> str:
        """The DNS suffix of the cloud's SQL servers, which is its SQL audience's host
        (`database.windows.net`, `database.usgovcloudapi.net`, `database.chinacloudapi.cn`)."""
        return urlsplit(self.audiences.sql).hostname or ""

    def blob_account_url(self, account: str) -> str:
        """The blob endpoint of a storage account: its own host in Azure, a path on the local cloud."""
        if self.local:
            return f"{self.arm_endpoint}/{account}"
        return f"https://{account}.blob.{self.storage_suffix}"

    @property
    def graph_host(self) -> str:
        return urlsplit(self.msgraph_endpoint).hostname or ""


PUBLIC_AUDIENCES = Audiences(
    arm="https://management.azure.com",
    msgraph="https://graph.microsoft.com",
    storage="https://storage.azure.com",
    vault="https://vault.azure.net",
    sql="https://database.windows.net",
    ossrdbms="https://ossrdbms-aad.database.windows.net",
)

CLOUDS: dict[str, CloudProfile] = {
    profile.name: profile
    for profile in (
        CloudProfile(
            name="AzureCloud",
            arm_endpoint="https://management.azure.com",
            authority_host="https://login.microsoftonline.com",
            msgraph_endpoint="https://graph.microsoft.com",
            audiences=PUBLIC_AUDIENCES,
        ),
        CloudProfile(
            name="AzureUSGovernment",
            arm_endpoint="https://management.usgovcloudapi.net",
            authority_host="https://login.microsoftonline.us",
            msgraph_endpoint="https://graph.microsoft.us",
            storage_suffix="core.usgovcloudapi.net",
            postgres_suffix="postgres.database.usgovcloudapi.net",
            audiences=Audiences(
                arm="https://management.usgovcloudapi.net",
                msgraph="https://graph.microsoft.us",
                storage="https://storage.azure.com",
                vault="https://vault.usgovcloudapi.net",
                sql="https://database.usgovcloudapi.net",
                ossrdbms="https://ossrdbms-aad.database.usgovcloudapi.net",
            ),
        ),
        CloudProfile(
            name="AzureChinaCloud",
            arm_endpoint="https://management.chinacloudapi.cn",
            authority_host="https://login.chinacloudapi.cn",
            msgraph_endpoint="https://microsoftgraph.chinacloudapi.cn",
            storage_suffix="core.chinacloudapi.cn",
            postgres_suffix="postgres.database.chinacloudapi.cn",
            audiences=Audiences(
                arm="https://management.chinacloudapi.cn",
                msgraph="https://microsoftgraph.chinacloudapi.cn",
                storage="https://storage.azure.com",
                vault="https://vault.azure.cn",
                sql="https://database.chinacloudapi.cn",
                ossrdbms="https://ossrdbms-aad.database.chinacloudapi.cn",
            ),
        ),
    )
}


def azure_profile(name: str = DEFAULT_CLOUD) -> CloudProfile:
    """The profile of a public or sovereign cloud by its Azure CLI name (any case)."""
    for profile in CLOUDS.values():
        if profile.name.lower() == name.lower():
            return profile
    raise ConfigurationError(f"unknown cloud '{name}': use one of {', '.join(CLOUDS)}")


def local_profile(url: str) -> CloudProfile:
    """The local cloud serving everything from `url` (https://127.0.0.1:PORT), with public audiences."""
    base = url.rstrip("/")
    return CloudProfile(
        name="LocalCloud",
        arm_endpoint=base,
        authority_host=base,
        msgraph_endpoint=base,
        audiences=PUBLIC_AUDIENCES,
        local=True,
        poll_interval=1.0,
    )
