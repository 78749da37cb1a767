"""The kinds' reference in docs/scenario-language.md, generated from the kind registry (like schema.py).

    python -m provisioner.scenario.reference --write    # or: make docs

Each generated region of the document sits between `<!-- NAME:begin -->` and `<!-- NAME:end -->`:
`kinds` (a section per kind: its spec's docstring, an attribute table from the spec's fields and
the kind's declarations, its exports, what checks do with it), `principals` (the exports that are a
principal's object id) and `abilities` (what a check can prove, by target kind). Everything else in
the document is written by hand. Nothing here imports an SDK.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from provisioner.kinds import KINDS
from provisioner.kinds.base import HostType, KindInfo, Model
from provisioner.language.references import Ref
from provisioner.language.suggestions import join_words

DOCUMENT = Path("docs/scenario-language.md")
COMMAND = "make docs (python -m provisioner.scenario.reference --write)"
NOTICE = "<!-- generated from provisioner/kinds/ by `make docs`: edit the kind modules, not this region -->"
SECRET = "secret: `${env.NAME}` or `{generate: {length: N}}`"

Kinds = Mapping[str, KindInfo[Any]]


class Row(NamedTuple):
    attribute: str
    column: str
    value: str
    meaning: str


def code(words: Sequence[str], conjunction: str = "and") -> str:
    return join_words([f"`{word}`" for word in words], conjunction)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith(".") else text + "."


def _unwrap(annotation: Any) -> Any:
    """The annotation without `Annotated` metadata and without `| None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(annotation):
            rest = [arg for arg in get_args(annotation) if arg is not type(None)]
            annotation = rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
        else:
            return annotation


def _nested(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The model an attribute holds (and whether in a list), for its own rows."""
    inner = _unwrap(annotation)
    listed = get_origin(inner) is list
    inner = _unwrap(get_args(inner)[0]) if listed else inner
    return (inner, listed) if isinstance(inner, type) and issubclass(inner, Model) else None


def describe_type(annotation: Any) -> str:
    """What a scenario writes for an attribute of this type, in words."""
    inner = _unwrap(annotation)
    origin, args = get_origin(inner), get_args(inner)
    if origin in (Union, types.UnionType) and Ref in args:
        return "text or reference"
    if origin is Literal:
        return "one of " + code([str(arg) for arg in args], "or")
    if origin is list:
        element = _unwrap(args[0])
        if get_origin(element) is Literal:
            return "list of " + code([str(arg) for arg in get_args(element)], "and")
        return "list of " + describe_type(element).replace("mapping", "mappings")
    if origin is dict:
        return "mapping of " + describe_type(args[1])
    names = {bool: "`true` or `false`", int: "integer", str: "text"}
    if inner in names:
        return names[inner]
    return "mapping" if isinstance(inner, type) and issubclass(inner, BaseModel) else str(inner)


def _literal(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def describe_value(field: FieldInfo) -> str:
    """The type, bounds and default of an attribute."""
    inner = _unwrap(field.annotation)
    default = field.default
    if get_origin(inner) is Literal:
        choices = [f"`{arg}`" + (" (default)" if arg == default else "") for arg in get_args(inner)]
        return "one of " + join_words(choices, "or")
    words = [describe_type(field.annotation)]
    low, high = (next((getattr(m, bound) for m in field.metadata if hasattr(m, bound)), None) for bound in ("ge", "le"))
    if low is not None and high is not None:
        words = [f"integer from {low} to {high}"]
    if isinstance(default, bool | int | str):
        words.append(f"default `{_literal(default)}`")
    return ", ".join(words)


def _meaning(kind: KindInfo[Any], attribute: str, field: FieldInfo) -> str:
    """The attribute's description, then what the kind declares about it."""
    notes = [field.description or ""]
    if attribute == "name" and kind.name_rule:
        notes.append(kind.name_rule.rule[0].upper() + kind.name_rule.rule[1:])
        if kind.globally_unique:
            notes.append("Unique across all of Azure")
    if attribute in kind.case_sensitive:
        notes.append("Compared with its case")
    if (links := kind.link(attribute)) is not None:
        notes.append("Refers to " + code(links, "or"))
    if kind.principal and attribute == kind.principal.attribute:
        notes.append("A principal's object id: see [Principals](#principals)")
    if kind.principal and attribute == kind.principal.type_attribute:
        notes.append(f"Inferred from `{kind.principal.attribute}` when omitted")
    if (file := kind.files.get(attribute)) is not None:
        size = f"{file.max_bytes // 1024} KiB"
        folder = "relative to the scenario's folder"
        notes.append(f"A UTF-8 text file {folder}, read into `{file.into}` when the scenario loads; at most {size}")
        notes.append("A file outside that folder (after `..` and links are resolved) needs `--allow-outside-files`")
    return " ".join(_sentence(note) for note in notes if note)


class Attribute(NamedTuple):
    dotted: str
    """As links name it: `identity.user_assigned`, `subnets.name`."""
    shown: str
    """As the reference shows it: `subnets[].name` for an attribute of each item of a list."""
    field: FieldInfo


def attributes(kind: KindInfo[Any]) -> Iterator[Attribute]:
    """Every attribute of the kind's spec, each followed by those of the mapping it holds (if any)."""
    for attribute, field in kind.spec.model_fields.items():
        yield Attribute(attribute, attribute, field)
        nested = None if attribute in kind.secrets else _nested(field.annotation)
        if nested:
            model, listed = nested
            for name, inner in model.model_fields.items():
                yield Attribute(
                    f"{attribute}.{name}", f"{attribute}[].{name}" if listed else f"{attribute}.{name}", inner
                )


def attribute_rows(kind: KindInfo[Any]) -> list[Row]:
    """One row per attribute of the kind's spec, and one per attribute of a nested mapping."""
    rows: list[Row] = []
    for dotted, shown, field in attributes(kind):
        column = "lookup" if dotted in kind.lookup else "create" if dotted in kind.required else ""
        value = SECRET if dotted in kind.secrets else describe_value(field)
        rows.append(Row(shown, column, value, _meaning(kind, dotted, field)))
    return rows


def _table(rows: list[Row]) -> Iterator[str]:
    yield "| attribute | | value | meaning |"
    yield "|---|---|---|---|"
    for row in rows:
        yield f"| `{row.attribute}` | {row.column} | {_cell(row.value)} | {_cell(row.meaning)} |"


def _exports(kind: KindInfo[Any]) -> str:
    if not kind.exports:
        return "Exports nothing."
    line = f"Exports: {code(list(kind.exports))}."
    absent: dict[str, list[str]] = {}
    for export, why in kind.absent_exports(kind.spec.model_construct()).items():
        absent.setdefault(why, []).append(export)
    notes = [f"{code(exports)} {why}" for why, exports in absent.items()]
    return line[:-1] + f" ({'; '.join(notes)})." if notes else line


def _article(word: str) -> str:
    return ("an " if word.lstrip("[`")[0] in "aeio" else "a ") + word


def _roles(kind: KindInfo[Any]) -> Iterator[str]:
    """What the kind's declarations mean for creating it and for checks."""
    if not kind.creatable:
        yield f"Provision never creates {_article(kind.name)}: it needs `existing: true`."
    if kind.grants_access:
        yield (
            f"Azure takes a while to apply a new {kind.name}: a step that depends on it and is refused with 403 "
            "is retried for up to `--principal-wait` seconds."
        )
    if kind.host:
        yield f"A check's `identity` may be {_article(kind.name)}: the probe runs inside it, as its managed identities."
    if kind.attachable_identity:
        hosts = join_words([host.value for host in HostType], "or")
        yield f"A check's `identity` may be {_article(kind.name)} attached to a {hosts} of the scenario, acting as it."


def _abilities(kind: KindInfo[Any]) -> Iterator[str]:
    if kind.check_target is None:
        return
    yield ""
    yield f"As a check's `target`, {_article(kind.name)} takes these abilities (`can:` or `cannot:`):"
    yield ""
    for name, ability in kind.check_target.abilities.items():
        yield f"- `{name}`: {ability.description}"


def _paragraphs(text: str | None) -> list[str]:
    return [part for part in inspect.cleandoc(text or "").split("\n\n") if part]


def kind_section(kind: KindInfo[Any]) -> str:
    """The `### <kind>` section of one kind."""
    intro, *details = _paragraphs(kind.spec.__doc__) or [""]
    lines = [f"### {kind.name}", "", _sentence(intro), "", *_table(attribute_rows(kind)), ""]
    one_of = [f"A created {kind.name} sets exactly one of {code(group, 'and')}." for group in kind.one_of]
    prose = [" ".join(one_of), *details, *_paragraphs(kind.doc), _exports(kind), " ".join(_roles(kind))]
    lines += "\n\n".join(part for part in prose if part).splitlines()
    lines += _abilities(kind)
    return "\n".join(lines)


def kinds_region(kinds: Kinds) -> str:
    index = ", ".join(f"[{name}](#{name})" for name in kinds)
    return "\n\n".join([f"Kinds: {index}.", *(kind_section(kind) for kind in kinds.values())])


def _link(name: str) -> str:
    return f"[{name}](#{name})"


def _principal_attributes(kinds: Kinds) -> Iterator[str]:
    """Which attributes hold a principal, and what is asked of the attributes naming its type."""
    holders: dict[str, list[str]] = {}
    typed: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        if kind.principal:
            holders.setdefault(kind.principal.attribute, []).append(_link(name))
            if kind.principal.type_attribute:
                typed.setdefault(kind.principal.type_attribute, []).append(_link(name))
    of = [f"`{attribute}` of {_article(join_words(names, 'or'))}" for attribute, names in holders.items()]
    yield f"A principal's object id ({'; '.join(of)}) is a reference to one of these, or a literal object id (a GUID):"
    yield ""
    yield "Any other export is an error."
    for attribute, names in typed.items():
        yield (
            f"With a literal object id, `{attribute}` of {_article(join_words(names, 'or'))} must be given; "
            "a given one that contradicts the reference is an error."
        )
    for name, kind in kinds.items():
        for given, ours in kind.principal.type_names.items() if kind.principal else ():
            if given != ours:
                yield f"{_article(_link(name)).capitalize()} calls a `{given}` `{ours}`."


def principals_region(kinds: Kinds) -> str:
    """The exports a principal attribute may refer to, and the type inferred from each."""
    groups: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for name, kind in kinds.items():
        by_type: dict[str, list[str]] = {}
        for export, type_of_export in kind.principal_exports.items():
            by_type.setdefault(type_of_export, []).append(export)
        for type_of_exports, exports in by_type.items():
            groups.setdefault((tuple(exports), type_of_exports), []).append(name)
    lines = ["| reference to | principal type |", "|---|---|"]
    for (grouped, principal_type), names in groups.items():
        owners = join_words([_link(name) + ("" if kinds[name].creatable else " (existing)") for name in names], "or")
        lines.append(f"| {code(grouped, 'or')} of {_article(owners)} | `{principal_type}` |")
    lines.append("| `${target.principal_id}` (whoever runs provision) | not inferred: Azure looks it up |")
    intro, blank, *after = _principal_attributes(kinds)
    return "\n".join([intro, blank, *lines, "", " ".join(after)])


def abilities_region(kinds: Kinds) -> str:
    """The abilities of every kind a check can target, with links to the kinds' sections."""
    lines = ["| target kind | ability (`can` / `cannot`) | what verify does, with the identity's own token |"]
    lines.append("|---|---|---|")
    for name, kind in kinds.items():
        for index, (ability, about) in enumerate(kind.check_target.abilities.items() if kind.check_target else ()):
            lines.append(f"| {_link(name) if index == 0 else ''} | `{ability}` | {about.description} |")
    lines.append("| any of these | `none` (`can` only) | the same as `cannot: read` |")
    return "\n".join(lines)


REGIONS: dict[str, Callable[[Kinds], str]] = {
    "kinds": kinds_region,
    "principals": principals_region,
    "abilities": abilities_region,
}


def regenerate(text: str, kinds: Kinds = KINDS) -> str:
    """The document with every generated region rendered afresh from `kinds`."""
    for region, render in REGIONS.items():
        begin, end = f"<!-- {region}:begin -->", f"<!-- {region}:end -->"
        found = list(re.finditer(re.escape(begin) + r".*?" + re.escape(end), text, re.DOTALL))
        if len(found) != 1:
            raise ValueError(f"the document needs exactly one {begin} ... {end} region")
        rendered = f"{begin}\n{NOTICE}\n\n{render(kinds)}\n\n{end}"
        text = text[: found[0].start()] + rendered + text[found[0].end() :]
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="rewrite the document (default: check it)")
    parser.add_argument("--document", type=Path, default=DOCUMENT)
    args = parser.parse_args(argv)
    current = args.document.read_text(encoding="utf-8")
    fresh = regenerate(current)
    if args.write:
        if fresh != current:
            args.document.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != current:
        print(f"{args.document} is out of date: run {COMMAND}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
