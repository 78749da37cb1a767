"""ARM's cloud metadata document (`/metadata/endpoints`), so tools that register a custom cloud
from an ARM endpoint (the Azure CLI, Terraform's go-azure-sdk) can use the local cloud.

Its shape follows the api-version as ARM's does: from 2022-09-01 one cloud object (what azure-cli 2.91
and go-azure-sdk decode), from 2019-05-01 a list of clouds, before that the legacy Azure Stack object.
Every endpoint it names that the local cloud serves points at the local cloud (Graph and the VM image
alias document included), so a registered cloud never sends a call off the machine."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface

routes = RouteTable(Surface.ARM)
documents = RouteTable(Surface.DOCUMENT)
CLOUD_NAME = "ProvisionLocalCloud"
IMAGE_ALIAS_PATH = "/metadata/vm-image-aliases.json"
ONE_CLOUD_FROM = "2022-09-01"
LIST_OF_CLOUDS_FROM = "2019-05-01"


def cloud_metadata(base_url: str) -> dict[str, Any]:
    """The 2022-09-01 shape: one entry per cloud the ARM endpoint serves."""
    return {
        "portal": base_url,
        "authentication": {
            "loginEndpoint": base_url,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": base_url,
        "graphAudience": "https://graph.windows.net/",
        "graph": base_url,
        "name": CLOUD_NAME,
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "storageSyncEndpointSuffix": "afs.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
            "attestationEndpoint": "attest.azure.net",
        },
        "batch": "https://batch.core.windows.net/",
        "resourceManager": base_url + "/",
        "vmImageAliasDoc": base_url + IMAGE_ALIAS_PATH,
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "microsoftGraphResourceId": base_url + "/",
        "appInsightsResourceId": "https://api.applicationinsights.io",
        "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
        "attestationResourceId": "https://attest.azure.net",
        "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
        "logAnalyticsResourceId": "https://api.loganalytics.io",
        "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net",
    }


@routes.get("/metadata/endpoints", authenticated=False)
async def metadata_endpoints(call: Call) -> Response:
    document = cloud_metadata(call.base_url)
    if call.api_version >= ONE_CLOUD_FROM:
        return arm_json(document)
    if call.api_version >= LIST_OF_CLOUDS_FROM:
        return arm_json([document])
    legacy = {
        "galleryEndpoint": call.base_url,
        "graphEndpoint": call.base_url,
        "portalEndpoint": call.base_url,
        "authentication": document["authentication"],
    }
    return arm_json(legacy)


def _image(publisher: str, offer: str, sku: str) -> dict[str, str]:
    return {"publisher": publisher, "offer": offer, "sku": sku, "version": "latest", "architecture": "x64"}


# The aliases `az vm create --image` accepts, in the document's own template shape (outputs.aliases.value),
# for the images the tutorials use; the names and image references are public Azure's.
IMAGE_ALIASES: dict[str, dict[str, dict[str, str]]] = {
    "Linux": {
        "Ubuntu2204": _image("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"),
        "Ubuntu2404": _image("Canonical", "ubuntu-24_04-lts", "server"),
    },
    "Windows": {
        "Win2022Datacenter": _image("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-g2"),
        "Win2022AzureEditionCore": _image(
            "MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition-core"
        ),
        "Win2019Datacenter": _image("MicrosoftWindowsServer", "WindowsServer", "2019-datacenter-gensecond"),
    },
}


@documents.get(IMAGE_ALIAS_PATH, authenticated=False)
async def image_aliases(call: Call) -> Response:
    return arm_json(
        {
            "$schema": "http://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json",
            "contentVersion": "1.0.0.0",
            "parameters": {},
            "variables": {},
            "resources": [],
            "outputs": {"aliases": {"type": "object", "value": IMAGE_ALIASES}},
        }
    )
