from __future__ import annotations

import pytest

from provisioner.azure.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import CloudError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Observed
from provisioner.providers.blob import content_digest
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import (
    create_and_check,
    delete_and_check,
    full_lifecycle,
    read,
    replan_calls,
    update_and_check,
)


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


def container_for_blobs(clients: Clients, unique: str, *, operator_writes: bool) -> str:
    """A new container's id; with `operator_writes`, the operator has a data role on it (Owner has none)."""
    builders.group(clients, f"rg-{unique}")
    account = builders.make(clients, "storage_account", {"name": f"sa{unique}", "resource_group": f"rg-{unique}"})
    container = builders.make(clients, "blob_container", {"name": "docs", "storage_account": account.exports["id"]})
    if operator_writes:
        grant = {"scope": container.exports["id"], "role": "Storage Blob Data Contributor"}
        builders.make(clients, "role_assignment", {**grant, "principal": clients.principal_id})
    return str(container.exports["id"])


def downloaded(clients: Clients, blob: Observed) -> bytes:
    account_url, container, name = str(blob.exports["url"]).rsplit("/", 2)
    content: bytes = clients.blob_service(account_url).get_blob_client(container, name).download_blob().readall()
    return content


def test_blob_lifecycle(clients: Clients, unique: str, local_cloud: LocalCloudServer) -> None:
    container = container_for_blobs(clients, unique, operator_writes=True)
    wanted = desired("blob", {"name": "hello.txt", "container": container, "content": "hello, world\n"})
    created = create_and_check(clients, wanted)
    assert created.exports["url"] == created.exports["id"] == created.azure_id
    assert created.exports["url"].endswith("/docs/hello.txt") and created.exports["name"] == "hello.txt"
    assert downloaded(clients, created) == b"hello, world\n"
    assert replan_calls(clients, local_cloud, wanted) == (2, 0, 0)  # the account's endpoint, then the blob

    text = changed(wanted, content="héllo again\n", content_type="text/plain; charset=utf-8")
    (content_change, type_change) = PROVIDERS["blob"].diff(text, created)
    assert (content_change.path, content_change.before) == ("content", content_digest("hello, world\n"))
    assert (type_change.path, type_change.before) == ("content_type", "application/octet-stream")
    updated = update_and_check(clients, created, text)
    assert updated.attributes["content_type"] == "text/plain; charset=utf-8"
    assert downloaded(clients, updated) == "héllo again\n".encode()

    delete_and_check(clients, created, wanted)


def test_a_blob_goes_with_its_container(clients: Clients, unique: str) -> None:
    container = container_for_blobs(clients, unique, operator_writes=True)
    wanted = desired("blob", {"name": "notes/a.txt", "container": container, "content": ""})
    created = create_and_check(clients, wanted)
    PROVIDERS["blob_container"].delete(RunContext(clients), container, {})
    assert read(clients, wanted) is None
    PROVIDERS["blob"].delete(RunContext(clients), created.azure_id, created.attributes)


def test_the_operator_without_a_data_role_cannot_upload(clients: Clients, unique: str) -> None:
    container = container_for_blobs(clients, unique, operator_writes=False)
    wanted = desired("blob", {"name": "hello.txt", "container": container, "content": "hello\n"})
    with pytest.raises(CloudError) as refused:
        PROVIDERS["blob"].create(RunContext(clients), wanted)
    assert (refused.value.status, refused.value.code) == (403, "AuthorizationPermissionMismatch")
    message = str(refused.value)
    assert message.startswith("403 AuthorizationPermissionMismatch: This request is not authorized to perform")
    assert "Storage Blob Data Contributor on the container" in message and "${target.principal_id}" in message
