"""What runs probes: the interface of the local and the Azure runner, and the probe request both build on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from provisioner.azure.profiles import scope
from provisioner.azure.target import Target
from provisioner.verify.abilities import Action
from provisioner.verify.actors import Actor
from provisioner.verify.model import Outcome, error
from provisioner.verify.probe import PROTOCOL


@dataclass(frozen=True)
class Probe:
    """One access to make as an actor: the check's id in the probe protocol, its action, its parameters."""

    id: str
    action: Action
    params: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "action": str(self.action), "params": self.params}


class Runner(Protocol):
    def unsupported(self, actor: Actor, action: Action) -> str | None:
        """Why this runner cannot make the access as the actor (the check is skipped), or None."""

    def run(self, actor: Actor, probes: list[Probe]) -> dict[str, Outcome]:
        """Make every access as the actor; an outcome per probe id."""

    def close(self) -> None: ...


def probe_request(target: Target, actor: Actor, probes: list[Probe]) -> dict[str, Any]:
    """The request `python -m provisioner.verify.probe` reads (see provisioner.verify.probe)."""
    profile = target.profile
    audiences = profile.audiences
    cloud = {
        "arm_endpoint": profile.arm_endpoint,
        "subscription_id": target.subscription_id,
        "arm_scope": profile.arm_scope,
        "storage_scope": scope(audiences.storage),
        "vault_scope": scope(audiences.vault),
        "sql_scope": profile.sql_scope,
        "ossrdbms_scope": profile.ossrdbms_scope,
        "local": profile.local,
    }
    checks = [probe.to_json() for probe in probes]
    return {"protocol": PROTOCOL, "client_id": actor.client_id, "cloud": cloud, "checks": checks}


def all_failed(probes: list[Probe], detail: str, code: str | None = None) -> dict[str, Outcome]:
    """The same error outcome for every probe (the actor could not be acted as at all)."""
    return {probe.id: error(detail, code) for probe in probes}
