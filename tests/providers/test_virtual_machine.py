from __future__ import annotations

from provisioner.azure.clients import Clients
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, delete_and_check, full_lifecycle, read, update_and_check

VM = PROVIDERS["virtual_machine"]
SECRETS = {"admin_password": builders.VM_PASSWORD}


def test_virtual_machine_lifecycle(clients: Clients, unique: str) -> None:
    group = f"rg-{unique}"
    builders.group(clients, group)
    nic = builders.nic(clients, group, "nic")
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": group})
    wanted = desired("virtual_machine", builders.vm_values(group, "vm", nic.exports["id"]), secrets=SECRETS)
    more = {"system_assigned": True, "user_assigned": [uai.exports["id"]]}
    updated = full_lifecycle(clients, wanted, changed(wanted, identity=more, size="Standard_B2s"))
    assert updated.attributes["size"] == "Standard_B2s"
    assert updated.attributes["identity"]["system_assigned"] is True
    assert updated.exports["identity.principal_id"]
    assert updated.exports["identity.tenant_id"] == clients.tenant_id


def test_linux_vm_with_an_ssh_key_only(clients: Clients, unique: str) -> None:
    group = f"rg-{unique}"
    builders.group(clients, group)
    nic = builders.nic(clients, group, "nic")
    values = builders.vm_values(group, "vm", nic.exports["id"], ssh_public_key="ssh-ed25519 AAAAC3Nza test")
    wanted = desired("virtual_machine", values)
    created = create_and_check(clients, wanted)
    assert "identity.principal_id" not in created.exports
    delete_and_check(clients, created, wanted)


def test_existing_vm_gets_its_system_identity_and_restore_takes_it_back(clients: Clients, unique: str) -> None:
    group = f"rg-{unique}"
    builders.group(clients, group)
    nic = builders.nic(clients, group, "nic")
    builders.make(clients, "virtual_machine", builders.vm_values(group, "vm", nic.exports["id"]), secrets=SECRETS)
    lookup = {"name": "vm", "resource_group": group}
    plain = desired("virtual_machine", lookup, existing=True)
    found = read(clients, plain)
    assert found is not None
    assert VM.diff(plain, found) == []  # an existing VM is not changed by what the scenario leaves out
    wanted = desired("virtual_machine", {**lookup, "identity": {"system_assigned": True}}, existing=True)
    changes = VM.diff(wanted, found)
    assert [change.path for change in changes] == ["identity"]
    prior = VM.prior_values(found, changes)
    enabled = update_and_check(clients, found, wanted)
    assert enabled.exports["identity.principal_id"]
    VM.restore(RunContext(clients), enabled, prior)
    restored = read(clients, plain)
    assert restored is not None
    assert restored.attributes["identity"] == {"system_assigned": False, "user_assigned": []}


def test_restore_keeps_what_was_there_before(clients: Clients, unique: str) -> None:
    group = f"rg-{unique}"
    builders.group(clients, group)
    nic = builders.nic(clients, group, "nic")
    values = builders.vm_values(group, "vm", nic.exports["id"], identity={"system_assigned": True})
    before = builders.make(clients, "virtual_machine", values, secrets=SECRETS)
    wanted = desired(
        "virtual_machine", {"name": "vm", "resource_group": group, "identity": {"system_assigned": True}}, existing=True
    )
    assert VM.diff(wanted, before) == []
    VM.restore(RunContext(clients), before, {"identity": before.attributes["identity"]})
    after = read(clients, wanted)
    assert after is not None
    assert after.exports["identity.principal_id"] == before.exports["identity.principal_id"]


def test_management_clients_poll_as_often_as_the_local_cloud_asks(clients: Clients) -> None:
    """The local cloud answers Retry-After: 1; without one, pollers wait the client's interval
    (the SDK default is 30 s), which must not be longer."""
    for name in ("resources", "network", "compute", "msi", "authorization", "storage", "keyvault", "sql", "web"):
        assert getattr(clients, name)._config.polling_interval <= 1
