"""Loading a scenario file: every check, all errors of the file in one ScenarioError."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field

from provisioner.errors import ScenarioError
from provisioner.kinds.base import Model
from provisioner.scenario.checks import build_checks
from provisioner.scenario.diagnostics import Report
from provisioner.scenario.files import read_files
from provisioner.scenario.interpolate import Interpolator
from provisioner.scenario.model import Resource, Scenario
from provisioner.scenario.principals import infer_principal_types
from provisioner.scenario.resources import Parsed, parse_resources
from provisioner.scenario.semantics import (
    check_cycles,
    check_duplicates,
    check_kind_rules,
    check_links,
    check_references,
)
from provisioner.scenario.validation import validate
from provisioner.scenario.variables import resolve_variables
from provisioner.scenario.yamlsource import Source, parse_yaml, read_file

SCENARIO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")


class TopLevel(Model):
    """The keys of a scenario file, before their contents are checked."""

    scenario: str
    description: str = ""
    variables: dict[str, Any] = {}
    resources: dict[str, Any] = Field(min_length=1)
    outputs: dict[str, Any] = {}
    checks: list[Any] = []


def load(
    path: Path,
    *,
    overrides: Mapping[str, str],
    vars_file: Path | None,
    env: Mapping[str, str] | None,
    allow_outside_files: bool = False,
) -> Scenario:
    report = Report()
    raw = read_file(path, "scenario", report)
    document = None if raw is None else parse_yaml(raw, str(path), report)
    if raw is None or document is None or not _is_mapping(source := Source(document, report)):
        raise ScenarioError(report.sorted())
    validate(TopLevel, document.data, source, (), "the scenario")
    env = os.environ if env is None else env
    variables = resolve_variables(source, env, overrides, vars_file)
    builder = _Builder(source, Interpolator(source, env, variables), allow_outside_files)
    scenario = builder.build(path, raw)
    report.raise_if_errors()
    return scenario


def _is_mapping(source: Source) -> bool:
    if not isinstance(source.document.data, dict):
        source.error((), "a scenario must be a mapping with 'scenario' and 'resources'")
        return False
    return True


class _Builder:
    def __init__(self, source: Source, interpolator: Interpolator, allow_outside_files: bool) -> None:
        self.source, self.interpolator = source, interpolator
        self.allow_outside_files = allow_outside_files

    def build(self, path: Path, raw: bytes) -> Scenario:
        data, interpolate = self.source.document.data, self.interpolator.value
        name = interpolate(data.get("scenario", ""), ("scenario",), resources=False)
        description = interpolate(data.get("description", ""), ("description",), resources=False)
        if isinstance(name, str) and name and not SCENARIO_NAME.fullmatch(name):
            rule = "use up to 80 letters, digits, '_', '.' and '-', starting with a letter or digit"
            self.source.error(("scenario",), f"invalid scenario name '{name}'", rule)
        parsed = parse_resources(self.source, self.interpolator)
        outputs = interpolate(data.get("outputs", {}), ("outputs",))
        checks = interpolate(data.get("checks", []), ("checks",))
        depends_on = self._check_graph(parsed)
        files = read_files(parsed, path.parent, self.source, allow_outside=self.allow_outside_files)
        return Scenario(
            name=str(name),
            description=str(description),
            path=path,
            variables=dict(self.interpolator.variables or {}),
            resources=self._resources(parsed, depends_on),
            outputs=outputs,
            checks=build_checks(checks, parsed, self.source),
            source_hash=self._hash(raw, files),
            warnings=[d for d in self.source.report.sorted() if d.severity == "warning"],
        )

    def _check_graph(self, parsed: dict[str, Parsed]) -> dict[str, frozenset[str]]:
        resources = self.source.document.data.get("resources")
        refs, declared = self.interpolator.refs, list(resources) if isinstance(resources, dict) else []
        edges = check_references(refs, parsed, declared, self.source)
        check_links(refs, parsed, self.source)
        check_kind_rules(parsed, self.source)
        infer_principal_types(parsed, self.source)
        check_duplicates(parsed, self.source)
        check_cycles(edges, self.source)
        return {name: frozenset(dependencies) for name, dependencies in edges.items()}

    @staticmethod
    def _resources(parsed: dict[str, Parsed], depends_on: dict[str, frozenset[str]]) -> dict[str, Resource]:
        return {
            name: Resource(name, p.kind.name, p.existing, p.spec, depends_on[name], p.location)
            for name, p in parsed.items()
            if p.spec is not None
        }

    def _hash(self, raw: bytes, files: dict[str, str]) -> str:
        """Changes when the file, a variable, an environment value used outside secrets or a file it reads does."""
        inputs = {"variables": self.interpolator.variables, "env": self.interpolator.env_used, "files": files}
        digest = hashlib.sha256(raw)
        digest.update(json.dumps(inputs, sort_keys=True, default=str).encode())
        return digest.hexdigest()
