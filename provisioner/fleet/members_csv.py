"""`members_from: students.csv`: a header row of variable names (a `name` column required, an optional
`scenario` column), then one member a row. Every problem is reported at its line and column."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from provisioner.scenario.diagnostics import Report, SourceLocation
from provisioner.scenario.variables import VARIABLE_NAME
from provisioner.scenario.yamlsource import read_file

NAME_COLUMN = "name"
SCENARIO_COLUMN = "scenario"


class Cell(NamedTuple):
    """A cell's text (stripped) and where it begins."""

    value: str
    at: SourceLocation


@dataclass(frozen=True)
class Table:
    header: dict[str, SourceLocation]
    rows: list[dict[str, Cell]]
    """Each member's cells, by column name."""


def read_members(path: Path, report: Report) -> Table | None:
    """The table in `path`, or None after reporting why there is none; bad rows are reported and left out."""
    raw = read_file(path, "members file", report)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.error(SourceLocation(str(path), raw.count(b"\n", 0, exc.start) + 1, 1), "file is not UTF-8 text")
        return None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        report.error(SourceLocation(str(path), 1, 1), "the members file is empty: it needs a header row with 'name'")
        return None
    header = _header(str(path), *lines[0], report)
    if header is None:
        return None
    rows = [row for number, line in lines[1:] if (row := _row(str(path), number, line, header, report))]
    return Table(header, rows)


def _cells(file: str, number: int, line: str, report: Report) -> list[Cell] | None:
    try:
        values = next(csv.reader([line], strict=True))
    except csv.Error as exc:
        report.error(SourceLocation(file, number, 1), f"invalid CSV: {exc} (a cell cannot span lines)")
        return None
    starts = _starts(line)
    return [
        Cell(value.strip(), SourceLocation(file, number, starts[min(i, len(starts) - 1)]))
        for i, value in enumerate(values)
    ]


def _starts(line: str) -> list[int]:
    """The 1-based column where each cell of `line` begins."""
    starts, quoted = [1], False
    for position, character in enumerate(line):
        if character == '"':
            quoted = not quoted
        elif character == "," and not quoted:
            starts.append(position + 2)
    return starts


def _header(file: str, number: int, line: str, report: Report) -> dict[str, SourceLocation] | None:
    cells = _cells(file, number, line, report)
    if cells is None:
        return None
    header: dict[str, SourceLocation] = {}
    for cell in cells:
        if cell.value in header:
            report.error(cell.at, f"duplicate column '{cell.value}'")
        elif cell.value not in (NAME_COLUMN, SCENARIO_COLUMN) and not VARIABLE_NAME.fullmatch(cell.value):
            report.error(cell.at, f"invalid column '{cell.value}': a column names a variable of the scenario")
        header[cell.value] = cell.at
    if NAME_COLUMN not in header:
        report.error(SourceLocation(file, number, 1), "the header row has no 'name' column", "name each member")
        return None
    return header


def _row(
    file: str, number: int, line: str, header: dict[str, SourceLocation], report: Report
) -> dict[str, Cell] | None:
    cells = _cells(file, number, line, report)
    if cells is None:
        return None
    if len(cells) != len(header):
        report.error(SourceLocation(file, number, 1), f"row has {len(cells)} cells, the header {len(header)}")
        return None
    return dict(zip(header, cells, strict=True))
