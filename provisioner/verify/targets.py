"""What verify does on each kind of target, derived from the kinds' declarations (`KindInfo.check_target`)."""

from __future__ import annotations

from provisioner.kinds import KINDS
from provisioner.scenario import Check
from provisioner.state import ResourceState
from provisioner.verify.abilities import Action, Expect

ACTIONS: dict[tuple[str, str], Action] = {
    (kind, ability): Action(declared.action)
    for kind, info in KINDS.items()
    if info.check_target is not None
    for ability, declared in info.check_target.abilities.items()
}
"""(target kind, ability) -> the probe action that proves it."""

API_VERSIONS: dict[str, str] = {
    kind: info.check_target.api_version for kind, info in KINDS.items() if info.check_target is not None
}
"""The api-version of an ARM GET by id of each kind of target (the probe's ARM reads; the operator's
check that the target of a `cannot` check exists)."""


def action_for(kind: str, check: Check) -> tuple[Action, Expect]:
    """The action a check on a target of this kind runs, and what it expects."""
    return ACTIONS[(kind, check.can)], Expect.REFUSED if check.expect_refusal else Expect.ALLOWED


def existence_id(target: ResourceState) -> str:
    """The ARM id whose existence proves the target exists (a secret's: its vault's)."""
    declared = KINDS[target.kind].check_target
    attribute = declared.exists_at if declared is not None else None
    return str(target.attributes[attribute]) if attribute else str(target.azure_id)
