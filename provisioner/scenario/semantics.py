"""Rules across resources: references, links, each kind's rules, duplicates and cycles."""

from __future__ import annotations

import graphlib
from collections.abc import Collection, Iterable

from provisioner.kinds.base import Peers
from provisioner.language.references import Ref
from provisioner.language.suggestions import did_you_mean, join_words
from provisioner.scenario.resources import Parsed
from provisioner.scenario.yamlsource import Path, Source

Edges = dict[str, dict[str, Path]]
"""resource -> {resource it depends on: where the dependency is written}."""


def check_references(
    refs: Iterable[tuple[Path, Ref]], parsed: dict[str, Parsed], declared: Collection[str], source: Source
) -> Edges:
    """Reports references to unknown resources or attributes; returns the dependencies."""
    edges: Edges = {name: {} for name in parsed}
    for name, resource in parsed.items():
        for dependency, path in resource.depends_on.items():
            if dependency in declared:
                edges[name][dependency] = path
            else:
                hint = did_you_mean(dependency, declared)
                source.error(path, f"unknown resource '{dependency}' in depends_on", hint)
    for path, ref in refs:
        if ref.is_target:
            continue  # checked as it was read; known when a run signs in, so no dependency
        if _reference_ok(path, ref, parsed, declared, source) and path[0] == "resources":
            edges[str(path[1])].setdefault(ref.resource, path)
    return edges


def _reference_ok(path: Path, ref: Ref, parsed: dict[str, Parsed], declared: Collection[str], source: Source) -> bool:
    if ref.resource not in declared:
        hint = did_you_mean(ref.resource, declared)
        source.error(path, f"unknown resource '{ref.resource}' in {ref}", hint)
        return False
    target = parsed.get(ref.resource)
    if target is None:
        return False  # its own errors are reported
    if not ref.attribute:
        if path[0] == "checks":
            return True  # the check itself says where a whole resource belongs
        hint = f"use an attribute such as ${{{ref.resource}.id}}"
        source.error(path, f"{ref} names a whole resource, which only a check can use", hint)
        return False
    kind, exports = target.kind, list(target.kind.exports)
    if ref.dotted not in exports:
        listed = ", ".join(exports) or "nothing"
        message = f"resource '{ref.resource}' ({kind.name}) does not export '{ref.dotted}'; it exports: {listed}"
        source.error(path, message, did_you_mean(ref.dotted, exports))
        return False
    absent = kind.absent_exports(target.spec) if target.spec and not target.existing else {}
    if ref.dotted in absent:
        source.error(path, f"resource '{ref.resource}' ({kind.name}) exports '{ref.dotted}' {absent[ref.dotted]}")
        return False
    return True


def check_links(refs: Iterable[tuple[Path, Ref]], parsed: dict[str, Parsed], source: Source) -> None:
    """A reference in an attribute such as `subnet` must point to the right kind's export."""
    for path, ref in refs:
        if path[0] != "resources":
            continue
        owner, target = parsed[str(path[1])], parsed.get(ref.resource)
        attribute = ".".join(item for item in path[2:] if isinstance(item, str))
        allowed = owner.kind.link(attribute)
        if allowed and ref.is_target:
            source.error(path, f"'{attribute}' must refer to {join_words(allowed, 'or')}, not {ref}")
        elif allowed and target and f"{target.kind.name}.{ref.dotted}" not in allowed:
            message = f"'{attribute}' must refer to {join_words(allowed, 'or')}, not {ref} ({target.kind.name})"
            source.error(path, message)


def check_kind_rules(parsed: dict[str, Parsed], source: Source) -> None:
    specs = {name: resource.spec for name, resource in parsed.items() if resource.spec}
    peers = Peers({name: resource.kind.name for name, resource in parsed.items()}, specs)
    for name, resource in parsed.items():
        if resource.spec is None:
            continue
        for issue in resource.kind.check(resource.spec, peers):
            path = ("resources", name, *issue.path)
            # An issue of the whole resource stands at its name.
            at = source.document.at(path) if issue.path else source.document.key_at(path)
            source.report.add(at, issue.message, issue.hint, issue.severity)


def check_duplicates(parsed: dict[str, Parsed], source: Source) -> None:
    """Two resources may not name the same Azure object."""
    seen: dict[tuple[object, ...], str] = {}
    for name, resource in parsed.items():
        if resource.spec is None:
            continue
        kind = resource.kind
        keys = ("name",) if kind.globally_unique else kind.lookup
        identity = (kind.name, *(_comparable(getattr(resource.spec, key), key in kind.case_sensitive) for key in keys))
        if identity in seen:
            message = f"resources '{seen[identity]}' and '{name}' are the same {kind.name}"
            hint = f"they have the same {join_words(keys, 'and')}"
            source.error(("resources", name), message, hint, key=True)
        seen.setdefault(identity, name)


def _comparable(value: object, case_sensitive: bool) -> object:
    return value.casefold() if isinstance(value, str) and not case_sensitive else value


def check_cycles(edges: Edges, source: Source) -> None:
    """Reports a dependency cycle where its first resource (in file order) refers to the next."""
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = exc.args[1][:-1]
        # graphlib lists the cycle in one direction or the other; print it as "depends on".
        if not all(cycle[(i + 1) % len(cycle)] in edges[node] for i, node in enumerate(cycle)):
            cycle.reverse()
        order = list(edges)
        start = min(range(len(cycle)), key=lambda i: order.index(cycle[i]))
        cycle = cycle[start:] + cycle[:start]
        source.error(edges[cycle[0]][cycle[1 % len(cycle)]], "cycle: " + " -> ".join([*cycle, cycle[0]]))
