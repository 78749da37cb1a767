"""ARM's cloud metadata document (`/metadata/endpoints`), so tools that register a custom cloud
from an ARM endpoint (the Azure CLI among them) can use the local cloud."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface

routes = RouteTable(Surface.ARM)
CLOUD_NAME = "ProvisionLocalCloud"


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
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
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
    if call.api_version >= "2019-05-01":
        return arm_json([document])
    legacy = {
        "galleryEndpoint": call.base_url,
        "graphEndpoint": call.base_url,
        "portalEndpoint": call.base_url,
        "authentication": document["authentication"],
    }
    return arm_json(legacy)
