from __future__ import annotations

from typing import Any

import pytest
from msgraph.generated.models.reference_create import ReferenceCreate

from provisioner.azure.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import ConfigurationError, TransientCloudError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, delete_and_check, full_lifecycle, read

ALICE = "alice@provisionlocal.onmicrosoft.com"


def test_entra_group_lifecycle(clients: Clients, unique: str) -> None:
    wanted = desired("entra_group", {"display_name": f"Readers {unique}", "description": "first"})
    updated = full_lifecycle(clients, wanted, changed(wanted, description="second"))
    assert updated.attributes["description"] == "second"
    assert updated.attributes["mail_nickname"] == f"Readers{unique}"
    assert updated.exports["object_id"] == updated.exports["id"]


def test_create_adopts_a_group_of_that_name(clients: Clients, unique: str) -> None:
    wanted = desired("entra_group", {"display_name": f"Adopted {unique}"})
    first = PROVIDERS["entra_group"].create(RunContext(clients), wanted)
    again = PROVIDERS["entra_group"].create(RunContext(clients), changed(wanted, description="now described"))
    assert again.azure_id == first.azure_id
    assert again.attributes["description"] == "now described"


def test_entra_user_is_read_never_created(clients: Clients) -> None:
    found = read(clients, desired("entra_user", {"user_principal_name": ALICE}, existing=True))
    assert found is not None
    assert found.exports["display_name"] == "Alice Admin"
    assert read(clients, desired("entra_user", {"user_principal_name": "nobody@example.com"}, existing=True)) is None
    with pytest.raises(ConfigurationError):
        PROVIDERS["entra_user"].create(RunContext(clients), desired("entra_user", {"user_principal_name": ALICE}))


def _group_and_principal(clients: Clients, unique: str) -> tuple[str, str]:
    group = PROVIDERS["entra_group"].create(
        RunContext(clients), desired("entra_group", {"display_name": f"G {unique}"})
    )
    builders.group(clients, f"rg-{unique}")
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    return group.exports["id"], uai.exports["principal_id"]


def test_group_member_lifecycle(clients: Clients, unique: str) -> None:
    group, member = _group_and_principal(clients, unique)
    wanted = desired("group_member", {"group": group, "member": member})
    created = create_and_check(clients, wanted)
    delete_and_check(clients, created, wanted)


def test_adding_a_member_already_there_is_success(clients: Clients, unique: str) -> None:
    group, member = _group_and_principal(clients, unique)

    async def add(msgraph: Any) -> None:
        reference = ReferenceCreate(odata_id=f"{msgraph.request_adapter.base_url}/directoryObjects/{member}")
        await msgraph.groups.by_group_id(group).members.ref.post(reference)

    clients.run_msgraph(add)
    wanted = desired("group_member", {"group": group, "member": member})
    PROVIDERS["group_member"].create(RunContext(clients), wanted)
    assert read(clients, wanted) is not None


def test_members_are_listed_once_per_group(clients: Clients, unique: str, local_cloud: LocalCloudServer) -> None:
    group, member = _group_and_principal(clients, unique)
    PROVIDERS["group_member"].create(RunContext(clients), desired("group_member", {"group": group, "member": member}))
    ctx = RunContext(clients)
    start = local_cloud.cloud.log.summary(include_records=False)["last"]
    others = [member, "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"]
    found = [
        PROVIDERS["group_member"].read(ctx, desired("group_member", {"group": group, "member": m})) for m in others
    ]
    assert [item is not None for item in found] == [True, False, False]
    assert local_cloud.cloud.log.summary(start, include_records=False)["reads"] == 1


def test_a_member_graph_does_not_know_is_principal_not_found(clients: Clients, unique: str) -> None:
    group, _ = _group_and_principal(clients, unique)
    nobody = "00000000-0000-0000-0000-0000000000aa"
    with pytest.raises(TransientCloudError) as raised:
        PROVIDERS["group_member"].create(
            RunContext(clients), desired("group_member", {"group": group, "member": nobody})
        )
    assert raised.value.code == "PrincipalNotFound"
