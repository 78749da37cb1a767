"""Microsoft.KeyVault deleted vaults: get, list, and purge (asynchronous, as in Azure: 202 with a
`Location` to poll). A vault with purge protection cannot be purged; it goes at its scheduled purge date."""

from __future__ import annotations

import time

from starlette.responses import Response

from provisioner.emulator.arm.authz import authorize
from provisioner.emulator.arm.ids import subscription_id
from provisioner.emulator.arm.operations import location_only, start_operation
from provisioner.emulator.arm.regions import normalise_location
from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.arm.scopes import require_subscription
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.keyvault import deleted
from provisioner.emulator.keyvault.deleted import DeletedVault, deleted_vault_id, deleted_view

routes = RouteTable(Surface.ARM)
PROVIDER = "Microsoft.KeyVault"
SUBSCRIPTION_PROVIDER = "/subscriptions/{subscription}/providers/Microsoft.KeyVault"
DELETED_VAULT = SUBSCRIPTION_PROVIDER + "/locations/{location}/deletedVaults/{name}"


def _find(call: Call, action: str) -> DeletedVault:
    """Authorize `Microsoft.KeyVault/locations/deletedVaults/{action}`; the deleted vault of this name in
    this location, or 404 DeletedVaultNotFound."""
    subscription, location, name = call.params["subscription"], call.params["location"], call.params["name"]
    authorize(call, f"{PROVIDER}/locations/deletedVaults/{action}", deleted_vault_id(subscription, location, name))
    require_subscription(call.cloud, subscription)
    found = deleted.find_deleted(call.cloud.store, name, time.time())
    if found is None or found.location != normalise_location(location):
        raise CloudServiceError(404, "DeletedVaultNotFound", f"The specified deleted vault '{name}' does not exist.")
    return found


@routes.get(DELETED_VAULT)
async def get_deleted_vault(call: Call) -> Response:
    return arm_json(deleted_view(_find(call, "read"), call.params["subscription"]))


@routes.get(SUBSCRIPTION_PROVIDER + "/deletedVaults")
async def list_deleted_vaults(call: Call) -> Response:
    subscription = call.params["subscription"]
    authorize(call, f"{PROVIDER}/deletedVaults/read", subscription_id(subscription))
    require_subscription(call.cloud, subscription)
    items = deleted.list_deleted(call.cloud.store, time.time())
    return paged(call, [deleted_view(item, subscription) for item in items])


@routes.post(DELETED_VAULT + "/purge")
async def purge_deleted_vault(call: Call) -> Response:
    found = _find(call, "purge/action")
    if found.purge_protected:
        raise CloudServiceError(405, "MethodNotAllowed", "Operation 'DeletedVaultPurge' is not allowed.")
    deleted.purge(call.cloud.store, found)
    headers = start_operation(call, provider=PROVIDER, location=found.location)
    return no_content(202, location_only(headers))
