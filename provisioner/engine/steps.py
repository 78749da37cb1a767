"""The steps of a run. Each writes its intent into the state before it calls Azure and its result
after, so a run killed at any point leaves a state from which a re-run converges: a resource whose
create was started is known to be ours if it turns up, and the prior values of anything changed on
a resource provision did not create are recorded before the change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from provisioner.engine.report import Progress
from provisioner.execution.retry import RetryPolicy, call_with_retry
from provisioner.kinds import KINDS
from provisioner.plan.context import RunContext
from provisioner.plan.describe import sensitive_attributes
from provisioner.plan.desired import Exports, build_desired, resolved_secrets, with_target
from provisioner.plan.values import json_value
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider
from provisioner.scenario import Ref, Resource
from provisioner.state.model import ResourceState, Status
from provisioner.state.store import StateWriter

T = TypeVar("T")


@dataclass(frozen=True)
class StepSettings:
    tags: Mapping[str, str]
    policy: RetryPolicy


class Steps:
    def __init__(
        self,
        ctx: RunContext,
        providers: Mapping[str, Provider[Any]],
        writer: StateWriter,
        progress: Progress,
        settings: StepSettings,
        exports: Mapping[str, Mapping[str, Any]],
        kinds: Mapping[str, str],
        depends_on: Mapping[str, Collection[str]],
    ) -> None:
        self.ctx, self.providers, self.writer, self.progress = ctx, providers, writer, progress
        self.settings = settings
        self.kinds = dict(kinds)
        self.depends_on = {address: set(needs) for address, needs in depends_on.items()}
        self._exports = with_target(exports, ctx.clients)
        self._lock = threading.Lock()
        # Resources created or changed by this run (or by an interrupted run the state remembers):
        # only a principal of their identities may be waited for through replication delay, and only
        # their role assignments through RBAC propagation.
        self._fresh = {e.address for e in writer.state.resources.values() if e.status != Status.READY}
        self.left_behind: list[str] = []  # what deletes had to leave in Azure, for the run's report

    # -- values flowing between steps -------------------------------------------------------------

    def lookup(self, ref: Ref) -> Any:
        with self._lock:
            return Exports(dict(self._exports)).lookup(ref)

    def exports(self) -> dict[str, Mapping[str, Any]]:
        with self._lock:
            return dict(self._exports)

    def _publish(self, address: str, exports: Mapping[str, Any], *, fresh: bool) -> None:
        with self._lock:
            self._exports[address] = dict(exports)
            if fresh:
                self._fresh.add(address)

    def desired(self, resource: Resource, *, generate: bool) -> Desired[Any]:
        """The resource as it must be now: references resolved with what earlier steps produced."""
        secrets = resolved_secrets(resource, generate=generate)
        return build_desired(resource, self.lookup, tags=self.settings.tags, secret_values=secrets)

    # -- scenario resources -----------------------------------------------------------------------

    def keep(self, resource: Resource, observed: Observed) -> None:
        """A resource that needs nothing: make sure the state knows it, pass its exports on."""
        provider = self.providers[resource.kind]
        current = self.writer.state.resources.get(resource.name)  # only this step touches this entry
        entry = ResourceState.from_json(current.to_json()) if current else ResourceState(resource.name, resource.kind)
        self._record(entry, resource, observed, provider)
        if current is None or entry.to_json() != current.to_json():
            with self.writer.edit() as state:
                state.resources[resource.name] = entry
        self._publish(resource.name, observed.exports, fresh=False)

    def create(self, resource: Resource, replacing: Observed | None = None) -> Observed:
        provider = self.providers[resource.kind]
        with self.writer.edit() as state:
            entry = state.resources.get(resource.name) or ResourceState(resource.name, resource.kind)
            entry.created_by_us, entry.status = True, Status.CREATING
            entry.depends_on = sorted(resource.depends_on)
            state.resources[resource.name] = entry
        if replacing is not None:
            left = self._call(
                resource.name, lambda: provider.delete(self.ctx, replacing.azure_id, replacing.attributes)
            )
            self._leave_behind(resource.name, resource.kind, left)
        desired = self.desired(resource, generate=True)
        observed = self._call(resource.name, lambda: provider.create(self.ctx, desired), waits_for=resource)
        with self.writer.edit() as state:
            entry = state.resources[resource.name]
            self._record(entry, resource, observed, provider)
            entry.secrets_set = sorted(desired.secrets)
        self._publish(resource.name, observed.exports, fresh=True)
        return observed

    def update(self, resource: Resource, observed: Observed) -> str:
        provider = self.providers[resource.kind]
        desired = self.desired(resource, generate=False)
        changes = provider.diff(desired, observed)
        if not changes:
            self.keep(resource, observed)
            return "nothing left to change"
        with self.writer.edit() as state:
            entry = state.resources.get(resource.name) or ResourceState(resource.name, resource.kind)
            if not entry.created_by_us:
                _remember_prior(entry, provider, observed, changes)
            entry.status = Status.UPDATING
            state.resources[resource.name] = entry
        result = self._call(
            resource.name,
            lambda: provider.update(self.ctx, desired, observed, changes),
            waits_for=resource,
        )
        with self.writer.edit() as state:
            self._record(state.resources[resource.name], resource, result, provider)
        # Enabling an identity makes a new principal; other updates leave principals as they were.
        identity_changed = any(change.path.split(".")[0] == "identity" for change in changes)
        self._publish(resource.name, result.exports, fresh=identity_changed)
        return ", ".join(change.path for change in changes)

    # -- resources known from the state -----------------------------------------------------------

    def delete(self, entry: ResourceState, find: Callable[[], Observed | None] | None = None) -> str:
        """Delete what the state recorded; `find` locates a resource whose create was interrupted."""
        provider = self.providers[entry.kind]
        azure_id, attributes = entry.azure_id, entry.attributes
        if azure_id is None and find is not None:
            found = self._call(entry.address, find)
            if found is not None:
                azure_id, attributes = found.azure_id, dict(found.attributes)
        if azure_id is not None:
            with self.writer.edit() as state:
                state.resources[entry.address].status = Status.DELETING
            left = self._call(entry.address, lambda: provider.delete(self.ctx, azure_id, attributes))
            self._leave_behind(entry.address, entry.kind, left)
        self.forget(entry.address)
        return "deleted" if azure_id is not None else "never created"

    def restore(self, entry: ResourceState) -> str:
        provider = self.providers[entry.kind]
        observed = Observed(entry.azure_id or "", entry.attributes, entry.exports)
        self._call(entry.address, lambda: provider.restore(self.ctx, observed, entry.prior))
        self.forget(entry.address)
        return "restored " + ", ".join(sorted(entry.prior))

    def forget(self, address: str) -> None:
        with self.writer.edit() as state:
            state.resources.pop(address, None)

    # -- helpers ----------------------------------------------------------------------------------

    def _leave_behind(self, address: str, kind: str, note: str | None) -> None:
        if note:
            with self._lock:
                self.left_behind.append(f"{address} ({kind}): {note}")

    def _call(self, address: str, operation: Callable[[], T], waits_for: Resource | None = None) -> T:
        """Run a call of the step at `address`; `waits_for`: the scenario resource it creates or updates,
        whose references to what this run created may be waited for through Azure's propagation."""
        with self._lock:
            fresh = set(self._fresh)
        return call_with_retry(
            operation,
            policy=self.settings.policy,
            principal_created=waits_for is not None and self._refers_to_new_principal(waits_for, fresh),
            role_granted=waits_for is not None and self._needs_new_grant(waits_for.name, fresh),
            notify=lambda message: self.progress.note(address, message),
        )

    def _refers_to_new_principal(self, resource: Resource, fresh: set[str]) -> bool:
        """True when the resource depends on a principal (an identity, a group) this run created or
        changed: whatever attribute refers to it (its object id, its name, its client id), Azure
        resolves it in a directory that may not have replicated it yet."""
        for dependency in self.depends_on.get(resource.name, ()):
            kind = self.kinds.get(dependency)
            if dependency in fresh and kind is not None and KINDS[kind].makes_principal:
                return True
        return False

    def _needs_new_grant(self, address: str, fresh: set[str]) -> bool:
        """True when the resource depends, directly or transitively, on a role assignment this run created."""
        seen: set[str] = set()
        frontier = list(self.depends_on.get(address, ()))
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            if current in fresh and current in self.kinds and KINDS[self.kinds[current]].grants_access:
                return True
            seen.add(current)
            frontier.extend(self.depends_on.get(current, ()))
        return False

    def _record(self, entry: ResourceState, resource: Resource, observed: Observed, provider: Provider[Any]) -> None:
        sensitive = sensitive_attributes(resource.kind, provider)
        entry.kind = resource.kind
        entry.azure_id = observed.azure_id
        entry.exports = json_value(observed.exports)
        entry.attributes = {k: v for k, v in json_value(observed.attributes).items() if k not in sensitive}
        entry.depends_on = sorted(resource.depends_on)
        entry.status = Status.READY


def _remember_prior(
    entry: ResourceState, provider: Provider[Any], observed: Observed, changes: list[AttributeChange]
) -> None:
    """Keep the first values provision replaced on a resource it did not create (for teardown);
    never a sensitive one."""
    prior = provider.prior_values(observed, [change for change in changes if not change.sensitive])
    sensitive = sensitive_attributes(entry.kind, provider)
    for path, value in prior.items():
        if path not in entry.prior and path.split(".")[0] not in sensitive:
            entry.prior[path] = json_value(value)
