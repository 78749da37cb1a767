"""Reading YAML safely into plain values, remembering where every key and value stands.

Anything a file can contain ends as a diagnostic, never as another exception: bytes that are
not UTF-8, control characters, syntax errors, aliases (no "billion laughs"), deep nesting,
duplicate keys, unsupported tags and numbers out of range.
"""

from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass, field
from typing import Any

import yaml

from provisioner.scenario.diagnostics import UNRESOLVED, Report, SourceLocation
from provisioner.scenario.reading import TooLarge, Unreadable, read_limited

Path = tuple[str | int, ...]

MAX_BYTES = 1 << 20
MAX_DEPTH = 32
MAX_INT = 1 << 63
_TAG = "tag:yaml.org,2002:"


@dataclass
class Document:
    """Plain data (dicts, lists, scalars) and the location of each value and mapping key."""

    file: str
    data: Any
    values: dict[Path, SourceLocation] = field(default_factory=dict)
    keys: dict[Path, SourceLocation] = field(default_factory=dict)

    def at(self, path: Path) -> SourceLocation:
        """Where the value at `path` stands, or the nearest enclosing value that has a place."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.values:
                return self.values[path[:end]]
        return SourceLocation(self.file, 1, 1)

    def key_at(self, path: Path) -> SourceLocation:
        """Where the key of `path` stands (for unknown or missing keys), else its value."""
        return self.keys.get(path) or self.at(path)


@dataclass
class Source:
    """A document and the report its diagnostics go to."""

    document: Document
    report: Report

    def error(self, path: Path, message: str, hint: str | None = None, *, key: bool = False) -> None:
        """Reports at the value at `path`, or with `key` at its key (unknown or missing keys)."""
        self.report.error(self.document.key_at(path) if key else self.document.at(path), message, hint)


class _Rejected(Exception):
    def __init__(self, mark: Any, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


class _Loader(yaml.SafeLoader):
    """SafeLoader's composer, refusing aliases and bounding the nesting depth."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Rejected(
                event.start_mark,
                "YAML aliases (*name) are not supported",
                "repeat the value, or put it in a variable",
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Rejected(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def read_file(path: pathlib.Path, what: str, report: Report) -> bytes | None:
    """The bytes of `path` (a regular file of at most MAX_BYTES), or None after reporting why not."""
    start = SourceLocation(str(path), 1, 1)
    try:
        return read_limited(path, MAX_BYTES)
    except TooLarge as exc:
        report.error(start, f"file is {exc.reason}")
    except Unreadable as exc:
        report.error(start, f"cannot read {what}: {exc.reason}", exc.hint)
    return None


def parse_yaml(raw: bytes, file: str, report: Report) -> Document | None:
    """The document in `raw`, or None after reporting why there is none."""
    start = SourceLocation(file, 1, 1)
    if len(raw) > MAX_BYTES:
        report.error(start, f"file is larger than {MAX_BYTES // 1024} KiB")
        return None
    text = _decode(raw, file, report)
    if text is None:
        return None
    node = _compose(text, file, report)
    if node is None:
        return None
    document = Document(file, None)
    document.data = _Converter(document, report).convert(node, ())
    return document


def _decode(raw: bytes, file: str, report: Report) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(
            SourceLocation(file, line, column),
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
        )
        return None


def _compose(text: str, file: str, report: Report) -> yaml.Node | None:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        _report_reader_error(exc, text, file, report)
        return None
    try:
        node: yaml.Node | None = loader.get_single_node()
    except _Rejected as exc:
        report.error(_location(file, exc.mark), exc.message, exc.hint)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = ", ".join(part for part in (exc.context, exc.problem) if part)
        report.error(_location(file, mark), f"invalid YAML: {reason}")
        return None
    finally:
        loader.dispose()
    if node is None:
        report.error(SourceLocation(file, 1, 1), "file is empty")
    return node


def _report_reader_error(exc: yaml.reader.ReaderError, text: str, file: str, report: Report) -> None:
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    report.error(SourceLocation(file, line, column), f"invalid character U+{exc.character:04X} in the file")


def _location(file: str, mark: Any) -> SourceLocation:
    """`mark` is a PyYAML Mark (0-based line and column) or None."""
    if mark is None:
        return SourceLocation(file, 1, 1)
    return SourceLocation(file, mark.line + 1, mark.column + 1)


class _Converter:
    """Turns composed nodes into plain values, recording locations in the document."""

    def __init__(self, document: Document, report: Report) -> None:
        self.document = document
        self.report = report
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: Path) -> Any:
        self.document.values[path] = _location(self.document.file, node.start_mark)
        if isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        return self._unsupported(node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "":
                self._error(key_node, "mapping keys must be plain names")
                continue
            if key_node.tag == _TAG + "merge":
                self._error(key_node, "YAML merge keys (<<) are not supported")
                continue
            key = key_node.value
            if key in result:
                first = self.document.keys[(*path, key)]
                self._error(key_node, f"duplicate key '{key}' (first defined at line {first.line})")
                continue
            self.document.keys[(*path, key)] = _location(self.document.file, key_node.start_mark)
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        kind = node.tag.removeprefix(_TAG)
        # YAML 1.1 reads 1:30 as the number 90 and dates as timestamps; both stay text here.
        if kind in ("str", "timestamp") or (kind in ("int", "float") and ":" in node.value):
            return node.value
        if kind == "null":
            return None
        if kind == "bool":
            return self.constructor.construct_yaml_bool(node)
        if kind == "int":
            return self._int(node)
        if kind == "float":
            return self._float(node)
        return self._unsupported(node)

    def _int(self, node: yaml.ScalarNode) -> Any:
        try:
            value = int(self.constructor.construct_yaml_int(node))
        except ValueError:
            value = MAX_INT
        if abs(value) >= MAX_INT:
            self._error(node, "integer out of range")
            return UNRESOLVED
        return value

    def _float(self, node: yaml.ScalarNode) -> Any:
        value = float(self.constructor.construct_yaml_float(node))
        if not math.isfinite(value):
            self._error(node, "number must be finite")
            return UNRESOLVED
        return value

    def _unsupported(self, node: yaml.Node) -> Any:
        self._error(node, f"unsupported YAML tag '{node.tag.replace(_TAG, '!!')}'")
        return UNRESOLVED

    def _error(self, node: yaml.Node, message: str) -> None:
        self.report.error(_location(self.document.file, node.start_mark), message)
