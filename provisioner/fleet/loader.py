"""Loading a fleet file: every check, all errors of the file (and of its members file) in one ScenarioError.

    fleet: class-a                       # the fleet's name; members deploy as <fleet>-<member>
    scenario: ../vm-system-identity-arm.yaml   # relative to this file
    vars: {location: westus}             # shared by every member
    members:                             # a list ...
      - {name: alice, vars: {prefix: alice}}
      - {name: bob, scenario: ../vm-user-identity-arm.yaml}   # a member's own scenario
    # ... or generated: members: {count: 30, name: "student-${member.index}", vars: {prefix: "s${member.index}"}}
    # ... or members_from: students.csv (a header row of variable names with a `name` column)

`${member.index}` (1-based), `${member.name}` and `${fleet.name}` may appear in any string value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from provisioner.errors import ScenarioError
from provisioner.fleet.members_csv import NAME_COLUMN, SCENARIO_COLUMN, read_members
from provisioner.fleet.model import Fleet, Member
from provisioner.kinds.base import Model
from provisioner.language.references import ReferenceSyntaxError, split_references
from provisioner.language.suggestions import did_you_mean
from provisioner.scenario.diagnostics import Report, SourceLocation
from provisioner.scenario.validation import validate
from provisioner.scenario.yamlsource import Source, parse_yaml, read_file
from provisioner.state.store import DEPLOYMENT_NAME

MAX_MEMBERS = 1000
MEMBER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
DEFAULT_DEPLOYMENT = "${fleet.name}-${member.name}"
Scalar = str | int | float | bool


class ListedMember(Model):
    """One member: its name, its variables (over the fleet's `vars`) and, if not the fleet's, its scenario."""

    name: str = Field(description="The member's name (letters, digits, '_', '.', '-'); unique in the fleet.")
    vars: dict[str, Scalar] = Field({}, description="Variables of this member, over the fleet's `vars`.")
    scenario: str | None = Field(None, description="This member's scenario, if not the fleet's (relative path).")


class GeneratedMembers(Model):
    """`count` members named from a template."""

    count: int = Field(ge=1, le=MAX_MEMBERS, description="How many members.")
    name: str = Field("member-${member.index}", description="Each member's name; `${member.index}` counts from 1.")
    vars: dict[str, Scalar] = Field({}, description="Variables of every member (may use `${member.*}`).")


class FleetFile(Model):
    """A fleet: one scenario applied for many members, each a deployment with its own state."""

    fleet: str = Field(description="The fleet's name; a member's deployment is `<fleet>-<member>` by default.")
    description: str = ""
    scenario: str = Field(description="The scenario every member deploys, relative to the fleet file.")
    deployment: str = Field(DEFAULT_DEPLOYMENT, description="Each member's deployment name (a template).")
    vars: dict[str, Scalar] = Field({}, description="Variables shared by every member (may use `${member.*}`).")
    members: list[ListedMember] | GeneratedMembers | None = Field(None, description="Listed or generated members.")
    members_from: str | None = Field(None, description="A CSV file of members (header: variable names, `name`).")


def fleet_schema() -> dict[str, Any]:
    """The JSON Schema of fleet files (`provision schema --fleet`)."""
    schema = FleetFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "provision fleet file"
    return schema


@dataclass
class _Draft:
    """A member as written, before its templates are filled in."""

    index: int
    name: str
    at: SourceLocation
    variables: dict[str, tuple[Any, SourceLocation]] = field(default_factory=dict)
    scenario: tuple[str, SourceLocation] | None = None


def load_fleet(path: Path) -> Fleet:
    """Load and check a fleet file; raises ScenarioError with every diagnostic. No cloud call."""
    report = Report()
    raw = read_file(path, "fleet file", report)
    document = None if raw is None else parse_yaml(raw, str(path), report)
    if document is None:
        raise ScenarioError(report.sorted())
    source = Source(document, report)
    if not isinstance(document.data, dict):
        source.error((), "a fleet file must be a mapping with 'fleet', 'scenario' and 'members'")
        raise ScenarioError(report.sorted())
    top = validate(FleetFile, document.data, source, (), "the fleet")
    if top is None:
        raise ScenarioError(report.sorted())
    fleet = _Builder(path, source, top).build()
    report.raise_if_errors()
    return fleet


class _Builder:
    def __init__(self, path: Path, source: Source, top: FleetFile) -> None:
        self.path, self.source, self.top, self.report = path, source, top, source.report
        self.document = source.document
        self.declared: dict[Path, set[str] | None] = {}
        self.seen: dict[str, SourceLocation] = {}  # member names, where first given

    def build(self) -> Fleet:
        if not DEPLOYMENT_NAME.fullmatch(self.top.fleet):
            rule = "use up to 80 letters, digits, '_', '.' and '-', starting with a letter or digit"
            self.source.error(("fleet",), f"invalid fleet name '{self.top.fleet}'", rule)
        members = [member for draft in self._drafts() if (member := self._member(draft)) is not None]
        return Fleet(self.top.fleet, self.path, tuple(members), self.top.description)

    # -- the members as written -------------------------------------------------------------------

    def _drafts(self) -> list[_Draft]:
        top, at = self.top, self.document.key_at  # a variable's problems stand at its name
        if (top.members is None) == (top.members_from is None):
            self.source.error((), "a fleet needs exactly one of 'members' and 'members_from'", key=True)
            return []
        shared = {name: (value, at(("vars", name))) for name, value in top.vars.items()}
        if isinstance(top.members, GeneratedMembers):
            generated = top.members
            written = {name: (value, at(("members", "vars", name))) for name, value in generated.vars.items()}
            where = self.document.at(("members", "name"))
            return [_Draft(i, generated.name, where, {**shared, **written}) for i in range(1, generated.count + 1)]
        if top.members is not None:
            return [self._listed(i, entry, shared) for i, entry in enumerate(top.members)]
        return self._from_csv(str(top.members_from), shared)

    def _listed(self, position: int, entry: ListedMember, shared: dict[str, tuple[Any, SourceLocation]]) -> _Draft:
        at, key_at = self.document.at, self.document.key_at
        written = {name: (value, key_at(("members", position, "vars", name))) for name, value in entry.vars.items()}
        draft = _Draft(position + 1, entry.name, at(("members", position, "name")), {**shared, **written})
        if entry.scenario is not None:
            draft.scenario = (entry.scenario, at(("members", position, "scenario")))
        return draft

    def _from_csv(self, written: str, shared: dict[str, tuple[Any, SourceLocation]]) -> list[_Draft]:
        table = read_members(self.path.parent / written, self.report)
        if table is None:
            return []
        if len(table.rows) > MAX_MEMBERS:
            self.source.error(("members_from",), f"more than {MAX_MEMBERS} members")
            return []
        drafts = []
        for index, row in enumerate(table.rows, 1):
            name = row[NAME_COLUMN]
            variables = dict(shared)
            variables |= {
                key: (c.value, table.header[key]) for key, c in row.items() if key not in (NAME_COLUMN, SCENARIO_COLUMN)
            }
            draft = _Draft(index, name.value, name.at, variables)
            if (scenario := row.get(SCENARIO_COLUMN)) is not None and scenario.value:
                draft.scenario = (scenario.value, scenario.at)
            drafts.append(draft)
        return drafts

    # -- one member -------------------------------------------------------------------------------

    def _member(self, draft: _Draft) -> Member | None:
        values = {"member.index": str(draft.index), "fleet.name": self.top.fleet}
        name = self._fill(draft.name, values, draft.at)
        if name is None:
            return None
        if not MEMBER_NAME.fullmatch(name):
            rule = "use up to 63 letters, digits, '_', '.' and '-', starting with a letter or digit"
            self.report.error(draft.at, f"invalid member name '{name}'", rule)
            return None
        if name in self.seen:
            self.report.error(draft.at, f"duplicate member '{name}' (first at line {self.seen[name].line})")
            return None
        self.seen[name] = draft.at
        values["member.name"] = name
        scenario_text, scenario_at = draft.scenario or (self.top.scenario, self.document.at(("scenario",)))
        scenario = self._scenario(scenario_text, scenario_at)
        deployment = self._fill(self.top.deployment, values, self.document.at(("deployment",)))
        if deployment is not None and not DEPLOYMENT_NAME.fullmatch(deployment):
            self.source.error(("deployment",), f"member '{name}': invalid deployment name '{deployment}'")
            deployment = None
        variables = self._variables(draft, values, scenario)
        if scenario is None or deployment is None or variables is None:
            return None
        return Member(name, draft.index, deployment, scenario, variables, draft.at)

    def _variables(self, draft: _Draft, values: dict[str, str], scenario: Path | None) -> dict[str, str] | None:
        declared = self.declared.get(scenario) if scenario is not None else None
        result: dict[str, str] = {}
        ok = True
        for variable, (value, at) in draft.variables.items():
            if declared is not None and variable not in declared:
                hint = did_you_mean(variable, declared)
                self.report.error(at, f"unknown variable '{variable}' of scenario {scenario}", hint)
                ok = False
                continue
            text = self._fill(_text(value), values, at)
            ok = ok and text is not None
            result[variable] = text or ""
        return result if ok else None

    def _scenario(self, written: str, at: SourceLocation) -> Path | None:
        path = self.path.parent / written
        if path not in self.declared:
            self.declared[path] = _declared_variables(path, self.report, at)
        return path if self.declared[path] is not None else None

    def _fill(self, text: str, values: dict[str, str], at: SourceLocation) -> str | None:
        """`text` with `${member.index}`, `${member.name}` and `${fleet.name}` replaced."""
        try:
            pieces = split_references(text)
        except ReferenceSyntaxError as exc:
            self.report.error(at, str(exc))
            return None
        parts = []
        for piece in pieces:
            if isinstance(piece, str):
                parts.append(piece)
                continue
            key = ".".join(piece)
            if key not in values:
                offered = ", ".join("${" + name + "}" for name in values)
                self.report.error(at, f"unknown reference ${{{key}}}: here a fleet file offers {offered}")
                return None
            parts.append(values[key])
        return "".join(parts)


def _declared_variables(path: Path, report: Report, at: SourceLocation) -> set[str] | None:
    """The variables the scenario at `path` declares (None, reported at `at`, when it cannot be read)."""
    own = Report()
    raw = read_file(path, "scenario", own)
    document = None if raw is None else parse_yaml(raw, str(path), own)
    if document is None or not isinstance(document.data, dict):
        reason = own.sorted()[0].message if own.diagnostics else "it is not a scenario"
        report.error(at, f"scenario {path}: {reason}", "the path is relative to the fleet file's folder")
        return None
    variables = document.data.get("variables")
    return set(variables) if isinstance(variables, dict) else set()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
