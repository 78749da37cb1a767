"""The dependency graph of a scenario as Mermaid or Graphviz dot (`provision graph`).

An edge goes from a resource to one that depends on it, so the graph reads in apply order.
Resources marked `existing: true` are drawn dashed.
"""

from __future__ import annotations

from provisioner.scenario.model import Scenario


def mermaid(scenario: Scenario) -> str:
    # Node ids are r0, r1, ...: resource names such as `end` would break Mermaid's syntax.
    ids = {name: f"r{index}" for index, name in enumerate(scenario.resources)}
    lines = ["flowchart LR"]
    for name, resource in scenario.resources.items():
        lines.append(f'    {ids[name]}["{name}<br/>{resource.kind}"]')
    for name, resource in scenario.resources.items():
        lines.extend(f"    {ids[dependency]} --> {ids[name]}" for dependency in sorted(resource.depends_on))
    existing = [ids[name] for name, resource in scenario.resources.items() if resource.existing]
    if existing:
        lines.append("    classDef existing stroke-dasharray: 5 5")
        lines.append(f"    class {','.join(existing)} existing")
    return "\n".join(lines) + "\n"


def dot(scenario: Scenario) -> str:
    lines = [f'digraph "{scenario.name}" {{', "    rankdir=LR;", "    node [shape=box];"]
    for name, resource in scenario.resources.items():
        style = ", style=dashed" if resource.existing else ""
        lines.append(f'    "{name}" [label="{name}\\n{resource.kind}"{style}];')
    for name, resource in scenario.resources.items():
        lines.extend(f'    "{dependency}" -> "{name}";' for dependency in sorted(resource.depends_on))
    lines.append("}")
    return "\n".join(lines) + "\n"


FORMATS = {"mermaid": mermaid, "dot": dot}
