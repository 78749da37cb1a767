from __future__ import annotations

from provisioner.cloud.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Observed
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import create_and_check, delete_and_check, full_lifecycle, read, update_and_check

POLICIES = PROVIDERS["key_vault_access_policy"]
SECRETS = PROVIDERS["key_vault_secret"]


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
