"""Rendering a Plan: text in the style of Terraform, or JSON for pipelines."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from provisioner.plan.model import Action, Change, Plan
from provisioner.providers.base import AttributeChange

SYMBOLS = {
    Action.CREATE: "  +",
    Action.UPDATE: "  ~",
    Action.REPLACE: "-/+",
    Action.DELETE: "  -",
    Action.READ: " <=",
    Action.NO_OP: "   ",
}
HEADLINES = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
    Action.READ: "will be read",
}


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2)


def render_text(plan: Plan) -> str:
    lines = [plan.target.get("description", f"target: {plan.target.get('name', '?')}")]
    lines.append(f"deployment: {plan.deployment} (scenario {plan.scenario_name})")
    lines.append("")
    actions = [change for change in plan.changes if change.action.writes]
    if actions:
        lines.append("provision will perform the following actions:")
        lines.append("")
        for change in actions:
            lines.extend(_change_block(change))
    else:
        lines.append("No changes. The cloud matches the scenario.")
        lines.append("")
    quiet = [change for change in plan.changes if not change.action.writes]
    for change in quiet:
        lines.append(_quiet_line(change))
    if quiet:
        lines.append("")
    lines.append(summary_line(plan))
    return "\n".join(lines)


def summary_line(plan: Plan) -> str:
    summary = plan.summary
    return f"Plan: {summary.add} to add, {summary.change} to change, {summary.destroy} to destroy."


def _change_block(change: Change) -> list[str]:
    lines = [f"  # {change.address} ({change.kind}) {HEADLINES[change.action]}: {change.reason}"]
    lines.append(f'{SYMBOLS[change.action]} {change.kind} "{change.address}" {{')
    if change.action is Action.CREATE:
        lines.extend(_attributes("+", change.after or {}))
    elif change.action is Action.DELETE:
        lines.extend(_attributes("-", change.before or {}))
    else:
        lines.extend(_attribute_change(item) for item in change.changes)
    lines.append("    }")
    lines.append("")
    return lines


def _attributes(symbol: str, values: Mapping[str, Any]) -> list[str]:
    width = max((len(key) for key in values), default=0)
    return [f"      {symbol} {key.ljust(width)} = {_value(values[key])}" for key in sorted(values)]


def _attribute_change(item: AttributeChange) -> str:
    note = " # forces replacement" if item.forces_replacement else ""
    return f"      ~ {item.path} = {_value(item.before)} -> {_value(item.after)}{note}"


def _quiet_line(change: Change) -> str:
    if change.action is Action.READ:
        return f' <= {change.kind} "{change.address}": {change.reason}'
    return f'    {change.kind} "{change.address}": no changes, {change.reason}'


def _value(value: Any) -> str:
    if value in ("(known after apply)", "(sensitive)"):
        return str(value)
    if value is None:
        return "null"
    return json.dumps(value, sort_keys=True)
