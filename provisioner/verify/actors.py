"""Who acts for a check: the VM or web app a probe runs in, and which of its identities it uses.

`identity: ${vm}` acts as the VM's system-assigned identity, `via: ${uai}` as the user-assigned one
(by its client id); `identity: ${uai}` alone needs a host: the first applied virtual_machine, then
web_app, of the scenario that has it attached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provisioner.kinds import KINDS
from provisioner.kinds.base import HostType, ManagedIdentity
from provisioner.scenario import Check, Ref, Scenario
from provisioner.state import DeploymentState, ResourceState, Status
from provisioner.verify.model import Unverifiable, not_applied

HOST_KINDS = tuple(name for name, info in KINDS.items() if info.host is not None)


@dataclass(frozen=True)
class Actor:
    """A probe's identity: a VM or web app, and the client id of the user-assigned identity it uses."""

    host: str  # the scenario's name of the VM or web app
    host_kind: str
    host_id: str
    client_id: str | None  # None: the host's system-assigned identity
    label: str
    principal_name: str = ""
    """The identity's name in Entra ID (a system-assigned identity's is its host's), which database
    sign-ins that name the user (PostgreSQL) use; empty: the host's name."""

    @property
    def sign_in_name(self) -> str:
        return self.principal_name or self.host_id.rstrip("/").rpartition("/")[2]

    @property
    def host_type(self) -> HostType:
        host = KINDS[self.host_kind].host
        if host is None:
            raise ValueError(f"{self.host_kind} is not a kind a probe runs in")
        return host

    @property
    def key(self) -> tuple[str, str | None]:
        return self.host, self.client_id

    @property
    def slug(self) -> str:
        """The label as a blob name part: letters, digits, '-'."""
        return re.sub(r"[^A-Za-z0-9]+", "-", self.label).strip("-")


def label(check: Check, host: str | None) -> str:
    """How the table names the identity a check acts as (`host` None: no host found)."""
    if check.via:
        return f"{check.identity} as {check.via}"
    if host is None:
        return check.identity
    if host == check.identity:
        return f"{check.identity} (system-assigned)"
    return f"{check.identity} (on {host})"


def unhosted_label(check: Check, scenario: Scenario) -> str:
    """The label of a check that has no actor (its identity or host is not applied)."""
    return label(check, check.identity if scenario.resources[check.identity].kind in HOST_KINDS else None)


def applied(state: DeploymentState | None, name: str) -> ResourceState:
    """The state entry of a resource the last apply finished; Unverifiable (not applied) otherwise."""
    entry = state.resources.get(name) if state is not None else None
    if entry is None or not entry.azure_id:
        raise Unverifiable(not_applied(f"'{name}' is not applied (not in the deployment state)"))
    if entry.status != Status.READY:
        raise Unverifiable(not_applied(f"'{name}' is not applied: its last step stopped while {entry.status}"))
    return entry


def actor_for(check: Check, scenario: Scenario, state: DeploymentState | None) -> Actor:
    """The actor of a check; Unverifiable when its host or identity is not applied."""
    identity = scenario.resources[check.identity]
    if identity.kind in HOST_KINDS:
        host = applied(state, check.identity)
        client_id = _client_id(state, check.via) if check.via else None
        name = _name(state, check.via) if check.via else ""
        return Actor(check.identity, identity.kind, str(host.azure_id), client_id, label(check, check.identity), name)
    client_id = _client_id(state, check.identity)
    for name in _hosts_of(scenario, check.identity):
        try:
            host = applied(state, name)
        except Unverifiable:
            continue
        kind, named = scenario.resources[name].kind, _name(state, check.identity)
        return Actor(name, kind, str(host.azure_id), client_id, label(check, name), named)
    raise Unverifiable(not_applied(f"no virtual_machine or web_app with '{check.identity}' attached is applied"))


def _client_id(state: DeploymentState | None, identity: str) -> str:
    entry = applied(state, identity)
    client_id = entry.exports.get("client_id")
    if not client_id:
        raise Unverifiable(not_applied(f"'{identity}' has no client id in the deployment state"))
    return str(client_id)


def _name(state: DeploymentState | None, identity: str) -> str:
    return str(applied(state, identity).exports.get("name") or "")


def _hosts_of(scenario: Scenario, identity: str) -> list[str]:
    """The scenario's VMs, then web apps, that have the user-assigned identity attached."""
    hosts = []
    for kind in HOST_KINDS:
        for name, resource in scenario.resources.items():
            block = getattr(resource.spec, "identity", None)
            attached = block.user_assigned if isinstance(block, ManagedIdentity) else []
            if resource.kind == kind and any(isinstance(ref, Ref) and ref.resource == identity for ref in attached):
                hosts.append(name)
    return hosts
