"""State survives a restart, and many threads writing at once leave it consistent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import builders, clients

WRITERS = 16


def test_state_survives_a_restart(tmp_path: Path) -> None:
    first = LocalCloudServer(tmp_path)
    first.start()
    try:
        identity = first.cloud.identity
        credential = clients.operator_credential_for(first)
        clients.resources(first, credential).resource_groups.create_or_update("kept", {"location": "westus"})
        msi = clients.msi(first, credential)
        uai = msi.user_assigned_identities.create_or_update("kept", "kept-uai", {"location": "westus"})
    finally:
        first.stop()

    second = LocalCloudServer(tmp_path)
    second.start()
    try:
        assert second.cloud.identity == identity
        msi = clients.msi(second, clients.operator_credential_for(second))
        again = msi.user_assigned_identities.get("kept", "kept-uai")
        assert (again.principal_id, again.client_id) == (uai.principal_id, uai.client_id)
        assert second.cloud.store.get_directory_object(uai.principal_id) is not None
    finally:
        second.stop()


def test_sixteen_threads_writing_at_once(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    arm = clients.resources(local_cloud, operator_credential)
    arm.resource_groups.create_or_update("busy", {"location": "westus"})
    group_id = f"/subscriptions/{local_cloud.cloud.identity.subscription_id}/resourceGroups/busy"

    def writer(index: int) -> tuple[str, str]:
        msi = clients.msi(local_cloud, operator_credential)
        uai = msi.user_assigned_identities.create_or_update("busy", f"uai-{index}", {"location": "westus"})
        builders.assign(local_cloud, operator_credential, group_id, builders.READER, uai.principal_id)
        return uai.name, uai.principal_id

    with ThreadPoolExecutor(WRITERS) as pool:
        created = list(pool.map(writer, range(WRITERS)))

    listed = list(clients.msi(local_cloud, operator_credential).user_assigned_identities.list_by_resource_group("busy"))
    assert sorted(item.name for item in listed) == sorted(name for name, _ in created)
    assignments = list(
        clients.authorization(local_cloud, operator_credential).role_assignments.list_for_scope(
            group_id, filter="atScope()"
        )
    )
    principals = [item.principal_id for item in assignments if item.scope == group_id]
    assert sorted(principals) == sorted(principal for _, principal in created)
    assert len({principal for _, principal in created}) == WRITERS
