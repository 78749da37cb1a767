from __future__ import annotations

from provisioner.cloud.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, delete_and_check, full_lifecycle, read


def test_storage_account_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    wanted = desired("storage_account", {"name": f"sa{unique}", "resource_group": f"rg-{unique}"})
    updated = full_lifecycle(clients, wanted, changed(wanted, allow_shared_key_access=False, sku="Standard_GRS"))
    assert updated.attributes["allow_shared_key_access"] is False
    assert updated.attributes["sku"] == "Standard_GRS"
    assert updated.exports["blob_endpoint"].startswith("https://")


def test_a_hierarchical_namespace_is_set_at_creation_and_changing_it_replaces(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    values = {"name": f"dl{unique}", "resource_group": f"rg-{unique}", "hierarchical_namespace": True}
    wanted = desired("storage_account", values)
    created = create_and_check(clients, wanted)
    assert created.attributes["hierarchical_namespace"] is True
    (change,) = PROVIDERS["storage_account"].diff(changed(wanted, hierarchical_namespace=False), created)
    assert change.path == "hierarchical_namespace" and change.forces_replacement
    delete_and_check(clients, created, wanted)


def test_blob_container_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    account = builders.make(
        clients,
        "storage_account",
        {"name": f"sa{unique}", "resource_group": f"rg-{unique}", "allow_blob_public_access": True},
    )
    wanted = desired("blob_container", {"name": "docs", "storage_account": account.exports["id"]})
    updated = full_lifecycle(clients, wanted, changed(wanted, public_access="Blob"))
    assert updated.attributes["public_access"] == "Blob"
    assert updated.exports["url"] == account.exports["blob_endpoint"].rstrip("/") + "/docs"


def test_containers_share_one_read_of_their_account(
    clients: Clients, unique: str, local_cloud: LocalCloudServer
) -> None:
    builders.group(clients, f"rg-{unique}")
    account = builders.make(clients, "storage_account", {"name": f"sa{unique}", "resource_group": f"rg-{unique}"})
    names = ("one", "two", "three")
    for name in names:
        builders.make(clients, "blob_container", {"name": name, "storage_account": account.exports["id"]})
    ctx = RunContext(clients)
    start = local_cloud.cloud.log.summary(include_records=False)["last"]
    PROVIDERS["storage_account"].read(
        ctx, desired("storage_account", {"name": f"sa{unique}", "resource_group": f"rg-{unique}"})
    )
    for name in names:
        PROVIDERS["blob_container"].read(
            ctx, desired("blob_container", {"name": name, "storage_account": account.exports["id"]})
        )
    assert local_cloud.cloud.log.summary(start, include_records=False)["reads"] == 1 + len(names)
    assert read(clients, desired("blob_container", {"name": "none", "storage_account": account.exports["id"]})) is None
