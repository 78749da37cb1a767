"""Saved plans (`plan --out FILE`, `apply FILE`): the plan, and the inputs that made it.

Applying a saved plan plans again from the same inputs and refuses (StalePlanError) when the
scenario's hash, the target, the observed cloud (its fingerprint) or the actions differ.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from provisioner.errors import PlanError, StalePlanError
from provisioner.plan.model import Plan

SAVED_PLAN_KIND = "provision-plan"


@dataclass(frozen=True)
class PlanInputs:
    """What `plan` was run with (no secrets: variables are plain values, secrets come from env)."""

    scenario_path: str
    deployment: str
    target: str
    overrides: Mapping[str, str] = field(default_factory=dict)
    vars_file: str | None = None
    subscription: str | None = None
    cloud: str | None = None


def save_plan(path: Path, plan: Plan, inputs: PlanInputs) -> None:
    document = {"kind": SAVED_PLAN_KIND, "inputs": asdict(inputs), "plan": plan.to_json()}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def is_saved_plan(path: Path) -> bool:
    if not path.is_file():  # a FIFO would block the read; the scenario loader reports what it is
        return False
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError:
        return False
    return start.lstrip().startswith(b"{") and SAVED_PLAN_KIND.encode() in start


def load_plan(path: Path) -> tuple[Plan, PlanInputs]:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlanError(f"{path}: cannot read saved plan ({exc})") from None
    if not isinstance(document, dict) or document.get("kind") != SAVED_PLAN_KIND:
        raise PlanError(f"{path}: not a saved plan of provision")
    try:
        inputs = PlanInputs(**document["inputs"])
    except (KeyError, TypeError) as exc:
        raise PlanError(f"{path}: saved plan without valid inputs ({exc})") from None
    return Plan.from_json(document["plan"]), inputs


def check_fresh(saved: Plan, fresh: Plan) -> None:
    """Refuse a saved plan that no longer describes what apply would do."""
    if saved.scenario_hash != fresh.scenario_hash:
        raise StalePlanError(
            "the saved plan is stale: the scenario (or a variable it uses) changed since it was made; run plan again"
        )
    for key in ("tenant_id", "subscription_id"):
        if saved.target.get(key) != fresh.target.get(key):
            raise StalePlanError(f"the saved plan was made for another {key.replace('_', ' ')}; run plan again")
    if saved.observed_fingerprint != fresh.observed_fingerprint or _actions(saved) != _actions(fresh):
        raise StalePlanError(
            "the saved plan is stale: the resources in the cloud (or the state) changed since it was made; "
            "run plan again"
        )


def _actions(plan: Plan) -> list[tuple[str, str]]:
    return [(change.address, change.action.value) for change in plan.changes]
