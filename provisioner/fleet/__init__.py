"""Fleets: one scenario (or a few) applied for many members, each a deployment with its own state.

    from provisioner.fleet import load_fleet
    fleet = load_fleet(Path("scenarios/fleets/class.fleet.yaml"))

A fleet file is checked like a scenario (every problem as file:line:col in one ScenarioError, no
cloud call); the members' scenarios load later, one per member, with the member's variables.
"""

from __future__ import annotations

from provisioner.fleet.loader import load_fleet
from provisioner.fleet.model import Fleet, Member

__all__ = ["Fleet", "Member", "load_fleet"]
