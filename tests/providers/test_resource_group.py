from __future__ import annotations

from provisioner.azure.clients import Clients
from provisioner.providers import PROVIDERS
from tests.providers.conftest import DEPLOYMENT_TAGS, changed, desired
from tests.providers.lifecycle import create_and_check, delete_and_check, full_lifecycle, read, update_and_check


def test_resource_group_lifecycle(clients: Clients, unique: str) -> None:
    wanted = desired("resource_group", {"name": f"rg-{unique}", "location": "West US", "tags": {"team": "a"}})
    updated = full_lifecycle(clients, wanted, changed(wanted, tags={"team": "b"}))
    assert updated.attributes["tags"] == {"team": "b", **DEPLOYMENT_TAGS}
    assert updated.exports["location"] == "westus"


def test_tags_added_by_others_are_kept(clients: Clients, unique: str) -> None:
    wanted = desired("resource_group", {"name": f"rg-{unique}", "location": "westus"})
    created = create_and_check(clients, wanted)
    clients.resources.resource_groups.update(f"rg-{unique}", {"tags": {**DEPLOYMENT_TAGS, "owner": "ops"}})
    found = read(clients, wanted)
    assert found is not None
    assert PROVIDERS["resource_group"].diff(wanted, found) == []
    updated = update_and_check(clients, found, changed(wanted, tags={"team": "b"}))
    assert updated.attributes["tags"] == {"team": "b", "owner": "ops", **DEPLOYMENT_TAGS}
    delete_and_check(clients, created, wanted)


def test_another_location_means_replacement(clients: Clients, unique: str) -> None:
    wanted = desired("resource_group", {"name": f"rg-{unique}", "location": "westus"})
    created = create_and_check(clients, wanted)
    changes = PROVIDERS["resource_group"].diff(changed(wanted, location="eastus"), created)
    assert [(c.path, c.forces_replacement) for c in changes] == [("location", True)]
    delete_and_check(clients, created, wanted)
