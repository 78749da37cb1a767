"""The life of one resource through its provider, as plan and apply drive it."""

from __future__ import annotations

from provisioner.azure.clients import Clients
from provisioner.emulator.server import LocalCloudServer
from provisioner.kinds import KINDS
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Desired, Observed


def read(clients: Clients, wanted: Desired) -> Observed | None:
    """A read with a fresh cache, as a new plan does it."""
    return PROVIDERS[wanted.kind].read(RunContext(clients), wanted)


def create_and_check(clients: Clients, wanted: Desired) -> Observed:
    """create -> read shows it with every export -> nothing to change."""
    provider = PROVIDERS[wanted.kind]
    created = provider.create(RunContext(clients), wanted)
    absent = KINDS[wanted.kind].absent_exports(KINDS[wanted.kind].spec.model_validate(dict(wanted.values)))
    assert set(KINDS[wanted.kind].exports) - set(absent) <= set(created.exports)
    found = read(clients, wanted)
    assert found is not None
    assert found.azure_id.lower() == created.azure_id.lower()
    assert found.exports == created.exports
    assert provider.diff(wanted, found) == []
    return found


def update_and_check(clients: Clients, before: Observed, wanted: Desired) -> Observed:
    """diff shows the change in place -> update -> nothing left to change."""
    provider = PROVIDERS[wanted.kind]
    changes = provider.diff(wanted, before)
    assert changes, "the changed scenario should differ"
    assert not any(change.forces_replacement for change in changes)
    provider.update(RunContext(clients), wanted, before, changes)
    after = read(clients, wanted)
    assert after is not None
    assert provider.diff(wanted, after) == []
    return after


def delete_and_check(clients: Clients, created: Observed, wanted: Desired) -> None:
    """delete -> read finds nothing -> delete again succeeds."""
    provider = PROVIDERS[wanted.kind]
    provider.delete(RunContext(clients), created.azure_id, created.attributes)
    assert read(clients, wanted) is None
    provider.delete(RunContext(clients), created.azure_id, created.attributes)


def full_lifecycle(clients: Clients, wanted: Desired, changed: Desired) -> Observed:
    """Every step; returns the resource as it was after the update (it is deleted by then)."""
    created = create_and_check(clients, wanted)
    updated = update_and_check(clients, created, changed)
    delete_and_check(clients, created, wanted)
    return updated


def update_calls(
    clients: Clients, cloud: LocalCloudServer, before: Observed, wanted: Desired
) -> tuple[Observed, dict[str, int]]:
    """`update_and_check`, and the calls the update and its check made, by operation ("PUT put_site": 1)."""
    start = cloud.cloud.log.summary(include_records=False)["last"]
    after = update_and_check(clients, before, wanted)
    return after, dict(cloud.cloud.log.summary(start, include_records=False)["by_operation"])


def replan_calls(clients: Clients, cloud: LocalCloudServer, wanted: Desired) -> tuple[int, int, int]:
    """A new plan's read of an applied resource, which finds nothing to change: (reads, writes, deletes) it cost."""
    start = cloud.cloud.log.summary(include_records=False)["last"]
    found = read(clients, wanted)
    assert found is not None
    assert PROVIDERS[wanted.kind].diff(wanted, found) == []
    counts = cloud.cloud.log.summary(start, include_records=False)
    return counts["reads"], counts["writes"], counts["deletes"]
