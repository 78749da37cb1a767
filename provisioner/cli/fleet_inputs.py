"""What a `--fleet` command runs against: the fleet file's members, each with its scenario loaded with
the member's variables, and one set of target and state options for them all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provisioner.cli.options import RunInputs, run_inputs
from provisioner.engine.warmup import warm_up
from provisioner.fleet import Fleet, load_fleet
from provisioner.fleet.scenarios import Loaded, load_scenarios


def fleet_inputs(fleet_path: Path, options: dict[str, Any]) -> RunInputs:
    """The target and state options every member shares (the fleet file stands in for a scenario)."""
    per_member: dict[str, Any] = {"overrides": {}, "vars_file": None, "deployment": None}
    return run_inputs(fleet_path, {**options, **per_member})


def load_members(
    fleet_path: Path, names: tuple[str, ...] | None, allow_outside_files: bool
) -> tuple[Fleet, list[Loaded]]:
    """The fleet (reduced to `names`) and every member's scenario; bad input anywhere is one ScenarioError,
    before any cloud call."""
    fleet = load_fleet(fleet_path).select(names)
    loaded = load_scenarios(fleet, allow_outside_files=allow_outside_files)
    warm_up({resource.kind for one in loaded for resource in one.scenario.resources.values()})
    return fleet, loaded
