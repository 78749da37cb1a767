from __future__ import annotations

from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.keyvault.secrets import KeyVaultSecretIdentifier

from provisioner.azure.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.engine.destroy import destroy, plan_destroy
from provisioner.errors import CloudError
from provisioner.plan.context import RunContext
from provisioner.plan.model import Action
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Observed
from provisioner.state import DeploymentState, ResourceState, StateStore, StateWriter
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, delete_and_check, full_lifecycle, read, update_and_check

POLICIES = PROVIDERS["key_vault_access_policy"]
SECRETS = PROVIDERS["key_vault_secret"]
VAULTS = PROVIDERS["key_vault"]


def vault(clients: Clients, unique: str, **values: object) -> Observed:
    builders.group(clients, f"rg-{unique}")
    return builders.make(clients, "key_vault", {"name": f"kv-{unique}", "resource_group": f"rg-{unique}", **values})


def test_key_vault_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    wanted = desired("key_vault", {"name": f"kv-{unique}", "resource_group": f"rg-{unique}"})
    updated = full_lifecycle(clients, wanted, changed(wanted, sku="premium", tags={"tier": "gold"}))
    assert updated.attributes["sku"] == "premium"
    assert updated.exports["vault_uri"].startswith("https://")


def test_creating_a_vault_that_exists_keeps_its_access_policies(clients: Clients, unique: str) -> None:
    created = vault(clients, unique)
    policy = {"vault": created.exports["id"], "object_id": clients.principal_id, "secrets": ["get"]}
    before = read(clients, desired("key_vault_access_policy", policy))
    again = builders.make(clients, "key_vault", {"name": f"kv-{unique}", "resource_group": f"rg-{unique}"})
    assert again.azure_id == created.azure_id
    assert read(clients, desired("key_vault_access_policy", policy)) == before


def test_access_policy_lifecycle(clients: Clients, unique: str) -> None:
    kv = vault(clients, unique)
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    values = {"vault": kv.exports["id"], "object_id": uai.exports["principal_id"], "secrets": ["get", "list"]}
    wanted = desired("key_vault_access_policy", values)
    updated = full_lifecycle(clients, wanted, changed(wanted, secrets=["get"], keys=["get"]))
    assert updated.attributes["permissions"] == {"secrets": ["get"], "keys": ["get"], "certificates": []}


def test_policies_change_incrementally_and_leave_other_entries(
    clients: Clients, unique: str, local_cloud: LocalCloudServer
) -> None:
    kv = vault(clients, unique)
    uai = builders.make(clients, "user_assigned_identity", {"name": "uai", "resource_group": f"rg-{unique}"})
    operator = desired(
        "key_vault_access_policy", {"vault": kv.exports["id"], "object_id": clients.principal_id, "secrets": ["get"]}
    )
    operator_before = read(clients, operator)
    values = {"vault": kv.exports["id"], "object_id": uai.exports["principal_id"], "template": "Secret Management"}
    wanted = desired("key_vault_access_policy", values)
    created = create_and_check(clients, wanted)
    start = local_cloud.cloud.log.summary(include_records=False)["last"]
    update_and_check(clients, created, changed(wanted, template=None, secrets=["get", "list", "purge"]))
    operations = local_cloud.cloud.log.summary(start)["by_operation"]
    assert operations.get("PUT update_access_policies") == 2  # one add, one remove; never a replace
    assert read(clients, operator) == operator_before
    delete_and_check(clients, created, wanted)
    assert read(clients, operator) == operator_before


def test_secret_lifecycle(clients: Clients, unique: str) -> None:
    kv = vault(clients, unique)
    wanted = desired(
        "key_vault_secret", {"name": "db-password", "vault": kv.exports["id"]}, secrets={"value": "first-Value-1"}
    )
    created = create_and_check(clients, wanted)
    assert "first-Value-1" not in repr(created)
    # The exported id names the vault (Azure's `{vault_uri}secrets/{name}`) and works as given.
    assert created.exports["id"] == f"{kv.exports['vault_uri']}secrets/db-password"
    parsed = KeyVaultSecretIdentifier(created.exports["id"])
    assert clients.secret_client(parsed.vault_url).get_secret(parsed.name, parsed.version).value == "first-Value-1"
    assert SECRETS.diff(changed(wanted, content_type="text/plain"), created)
    rotated = desired("key_vault_secret", dict(wanted.values), secrets={"value": "second-Value-2"})
    changes = SECRETS.diff(rotated, created)
    assert [change.path for change in changes] == ["value"]
    assert "second-Value-2" not in repr(changes)
    updated = update_and_check(clients, created, rotated)
    got = clients.secret_client(kv.exports["vault_uri"]).get_secret("db-password")
    assert got.value == "second-Value-2"
    generated_later = desired("key_vault_secret", dict(wanted.values))  # a generated value is absent on re-plan
    assert SECRETS.diff(generated_later, updated) == []
    delete_and_check(clients, created, wanted)
    recreated = SECRETS.create(RunContext(clients), wanted)  # the name is free again: delete purged it
    assert recreated.exports["name"] == "db-password"


def test_secrets_of_a_vault_are_listed_once(clients: Clients, unique: str, local_cloud: LocalCloudServer) -> None:
    kv = vault(clients, unique)
    names = ("a", "b", "c")
    for name in names:
        builders.make(clients, "key_vault_secret", {"name": name, "vault": kv.exports["id"]}, secrets={"value": name})
    ctx = RunContext(clients)
    start = local_cloud.cloud.log.summary(include_records=False)["last"]
    PROVIDERS["key_vault"].read(ctx, desired("key_vault", {"name": f"kv-{unique}", "resource_group": f"rg-{unique}"}))
    for name in names:
        assert SECRETS.read(ctx, desired("key_vault_secret", {"name": name, "vault": kv.exports["id"]})) is not None
    assert local_cloud.cloud.log.summary(start, include_records=False)["reads"] == 2


def test_delete_purges_so_the_name_can_be_used_again(clients: Clients, unique: str) -> None:
    created = vault(clients, unique)
    assert VAULTS.delete(RunContext(clients), created.azure_id, created.attributes) is None
    with pytest.raises(ResourceNotFoundError):
        clients.keyvault.vaults.get_deleted(f"kv-{unique}", "westus")
    again = builders.make(clients, "key_vault", {"name": f"kv-{unique}", "resource_group": f"rg-{unique}"})
    assert again.azure_id == created.azure_id


def test_a_name_held_by_a_soft_deleted_vault_is_refused_unless_recovery_is_asked(clients: Clients, unique: str) -> None:
    created = vault(clients, unique)
    secret = {"name": "kept", "vault": created.exports["id"]}
    builders.make(clients, "key_vault_secret", secret, secrets={"value": "kept-Value-1"})
    clients.keyvault.vaults.delete(f"rg-{unique}", f"kv-{unique}")  # soft-deleted, not purged
    values = {"name": f"kv-{unique}", "resource_group": f"rg-{unique}", "tags": {"after": "recovery"}}
    with pytest.raises(CloudError) as refused:
        VAULTS.create(RunContext(clients), desired("key_vault", values))
    assert (refused.value.status, refused.value.code) == (409, "ConflictError")
    assert "held by a soft-deleted vault" in str(refused.value)
    assert f"az keyvault purge --name kv-{unique}" in str(refused.value)

    wanted = desired("key_vault", values | {"recover_soft_deleted": True})
    recovered = VAULTS.create(RunContext(clients), wanted)
    assert recovered.azure_id == created.azure_id
    found = read(clients, wanted)
    assert found is not None and found.attributes["tags"]["after"] == "recovery"
    got = clients.secret_client(created.exports["vault_uri"]).get_secret("kept")
    assert got.value == "kept-Value-1"  # the operator's access policy came back with the vault


def test_destroy_reports_a_purge_protected_vault_as_left_behind(clients: Clients, unique: str, tmp_path: Path) -> None:
    created = vault(clients, unique, purge_protection=True)
    entry = ResourceState(
        "kv", "key_vault", created.azure_id, dict(created.exports), dict(created.attributes), created_by_us=True
    )
    state = DeploymentState(f"kv-{unique}", resources={"kv": entry})
    plan = plan_destroy(state, {})
    report = destroy(plan, RunContext(clients), PROVIDERS, StateWriter(StateStore(tmp_path), state))
    assert report.ok and report.done == [("kv", Action.DELETE)]
    [left] = report.leftovers
    assert left.startswith("kv (key_vault): soft-deleted with purge protection")
    assert clients.keyvault.vaults.get_deleted(f"kv-{unique}", "westus").name == f"kv-{unique}"
