"""Resource groups: tags, existence checks, and deletion cascading to everything inside."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients


def test_update_tags_and_check_existence(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    arm = clients.resources(local_cloud, operator_credential)
    arm.resource_groups.create_or_update("rg-tags", {"location": "West US", "tags": {"a": "1"}})
    assert arm.resource_groups.get("rg-tags").location == "westus"
    updated = arm.resource_groups.update("rg-tags", {"tags": {"a": "2", "b": "3"}})
    assert updated.tags == {"a": "2", "b": "3"}
    assert arm.resource_groups.check_existence("rg-tags") is True
    assert arm.resource_groups.check_existence("rg-absent") is False


def test_delete_cascades_to_resources_principals_and_role_assignments(
    local_cloud: LocalCloudServer, operator_credential: Any
) -> None:
    group = "rg-cascade"
    subnet = builders.group_with_subnet(local_cloud, operator_credential, group)
    vm = builders.vm(local_cloud, operator_credential, group, "cascade-vm", subnet, {"type": "SystemAssigned"})
    uai = clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        group, "cascade-uai", {"location": "westus"}
    )
    group_id = f"/subscriptions/{local_cloud.cloud.identity.subscription_id}/resourceGroups/{group}"
    assignment = builders.assign(local_cloud, operator_credential, group_id, builders.READER, uai.principal_id)
    on_vm = builders.assign(local_cloud, operator_credential, vm.id, builders.READER, uai.principal_id)

    arm = clients.resources(local_cloud, operator_credential)
    arm.resource_groups.begin_delete(group).result()

    with pytest.raises(ResourceNotFoundError):
        arm.resource_groups.get(group)
    store = local_cloud.cloud.store
    assert store.list_resources(under=group_id) == []
    assert store.get_directory_object(vm.identity.principal_id) is None
    assert store.get_directory_object(uai.principal_id) is None
    remaining = list(clients.authorization(local_cloud, operator_credential).role_assignments.list_for_subscription())
    assert {item.name for item in remaining}.isdisjoint({assignment.name, on_vm.name})
    assert remaining  # the operator's Owner assignment on the subscription stays
