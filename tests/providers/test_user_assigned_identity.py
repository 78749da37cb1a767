from __future__ import annotations

from provisioner.azure.clients import Clients
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import full_lifecycle


def test_user_assigned_identity_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    wanted = desired("user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    updated = full_lifecycle(clients, wanted, changed(wanted, tags={"purpose": "reader"}))
    assert updated.attributes["tags"]["purpose"] == "reader"
    assert updated.exports["tenant_id"] == clients.tenant_id
    assert updated.exports["principal_id"] and updated.exports["client_id"]
