"""Scenario variables: defaults from the file, then a `--vars-file`, then `--var k=v`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from provisioner.language.suggestions import did_you_mean
from provisioner.scenario.diagnostics import Report
from provisioner.scenario.interpolate import Interpolator
from provisioner.scenario.validation import describe
from provisioner.scenario.yamlsource import Source, parse_yaml, read_file

VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def resolve_variables(
    source: Source, env: Mapping[str, str], overrides: Mapping[str, str], vars_file: Path | None
) -> dict[str, Any]:
    """The value of every declared variable; a default of null means "must be set"."""
    declared = source.document.data.get("variables")
    if not isinstance(declared, dict):
        declared = {}
    defaults = Interpolator(source, env, None)
    values: dict[str, Any] = {}
    for name, default in declared.items():
        if not VARIABLE_NAME.fullmatch(name):
            source.error(("variables", name), f"invalid variable name '{name}'", key=True)
        values[name] = defaults.value(default, ("variables", name), resources=False)
    if vars_file is not None:
        _apply_vars_file(vars_file, declared, values, source.report)
    _apply_overrides(source, overrides, declared, values)
    for name, value in values.items():
        if value is None:
            hint = f"set it with --var {name}=VALUE or in a --vars-file"
            source.error(("variables", name), f"variable '{name}' has no value", hint, key=True)
    return values


def _apply_vars_file(path: Path, declared: dict[str, Any], values: dict[str, Any], report: Report) -> None:
    raw = read_file(path, "vars file", report)
    document = None if raw is None else parse_yaml(raw, str(path), report)
    if document is None:
        return
    if not isinstance(document.data, dict):
        report.error(document.at(()), "a vars file must be a mapping of variable names to values")
        return
    for name, value in document.data.items():
        if name not in declared:
            hint = did_you_mean(name, declared)
            report.error(document.key_at((name,)), f"unknown variable '{name}'", hint)
        elif not _compatible(declared[name], value):
            message = f"variable '{name}' is {describe(declared[name])}, not {describe(value)}"
            report.error(document.at((name,)), message)
        else:
            values[name] = value


def _apply_overrides(
    source: Source, overrides: Mapping[str, str], declared: dict[str, Any], values: dict[str, Any]
) -> None:
    """`--var` values; their errors stand at the file's `variables` key."""
    for name, text in overrides.items():
        if name not in declared:
            hint = did_you_mean(name, declared)
            source.error(("variables",), f"--var {name}: unknown variable '{name}'", hint, key=True)
            continue
        try:
            values[name] = _from_text(declared[name], text)
        except ValueError:
            message = f"--var {name}: variable '{name}' is {describe(declared[name])}, not '{text}'"
            source.error(("variables",), message, key=True)


def _compatible(default: Any, value: Any) -> bool:
    if default is None:
        return not isinstance(value, list | dict)
    if isinstance(default, float) and not isinstance(value, bool):
        return isinstance(value, int | float)
    return type(value) is type(default)


def _from_text(default: Any, text: str) -> Any:
    if isinstance(default, bool):
        if text.lower() not in ("true", "false"):
            raise ValueError(text)
        return text.lower() == "true"
    if isinstance(default, int | float):
        return type(default)(text)
    if isinstance(default, list | dict):
        raise ValueError(text)
    return text
