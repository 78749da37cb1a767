"""The local cloud's SQLite store: transactions stay atomic, ids stay case-insensitive."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.emulator.core.store import Store


def test_adding_a_schema_inside_a_transaction_keeps_it_atomic(tmp_path: Path) -> None:
    store = Store(tmp_path / "cloud.sqlite")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.add_schema(
            "CREATE TABLE IF NOT EXISTS extra (key TEXT PRIMARY KEY); CREATE INDEX IF NOT EXISTS e ON extra(key)"
        )
        conn.execute("INSERT INTO extra (key) VALUES ('rolled back')")
        store.put_resource(
            "/subscriptions/s/resourceGroups/g", "Microsoft.Resources/resourceGroups", "/subscriptions/s", {}
        )
        raise RuntimeError("abort the transaction")
    assert store.get_resource("/subscriptions/s/resourceGroups/g") is None


def test_resource_ids_are_case_insensitive_and_keep_their_first_casing(tmp_path: Path) -> None:
    store = Store(tmp_path / "cloud.sqlite")
    assert store.put_resource("/subscriptions/S/resourceGroups/Group", "t", "/subscriptions/S", {"v": 1})
    assert not store.put_resource("/SUBSCRIPTIONS/s/RESOURCEGROUPS/group", "t", "/subscriptions/S", {"v": 2})
    found = store.get_resource("/subscriptions/s/resourcegroups/GROUP")
    assert found is not None
    assert (found.id, found.body) == ("/subscriptions/S/resourceGroups/Group", {"v": 2})
    assert [item.id for item in store.list_resources(under="/Subscriptions/s")] == [found.id]
    assert store.list_resources(under="/subscriptions/s/resourceGroups/Gro") == []
