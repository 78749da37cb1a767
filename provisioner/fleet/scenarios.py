"""Each member's scenario, loaded with the member's variables: bad input of any member is one
ScenarioError (each diagnostic naming its member), before any cloud call."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from provisioner.errors import Diagnostic, ScenarioError
from provisioner.fleet.model import Fleet, Member
from provisioner.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class Loaded:
    member: Member
    scenario: Scenario

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def deployment(self) -> str:
        return self.member.deployment


def load_scenarios(fleet: Fleet, *, allow_outside_files: bool = False) -> list[Loaded]:
    loaded: list[Loaded] = []
    problems: list[Diagnostic] = []
    for member in fleet.members:
        try:
            scenario = load_scenario(
                member.scenario, overrides=member.variables, allow_outside_files=allow_outside_files
            )
        except ScenarioError as exc:
            problems += [
                dataclasses.replace(d, message=f"member '{member.name}': {d.message}") for d in exc.diagnostics
            ]
            continue
        loaded.append(Loaded(member, scenario))
    if problems:
        raise ScenarioError(problems)
    return loaded
