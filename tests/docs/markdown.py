"""Reading the docs as a newcomer does: the fenced blocks README.md marks as tested, the commands in
them, and the options each documented command line names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).parents[2]
README = REPO / "README.md"
TESTED_MARKER = "<!-- tested"
SYNOPSIS_MARKER = "<!-- synopsis -->"
HEADING = re.compile(r"^#{1,6} (?P<title>.+)$")
OPTIONAL = re.compile(r"\s*\[[^\]]*\]")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


@dataclass(frozen=True)
class Block:
    """A fenced block: the heading it stands under, its language and its lines (1-based first line)."""

    heading: str
    language: str
    lines: tuple[str, ...]
    line: int

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def commands(self) -> list[str]:
        """Its shell commands: continuations joined, comment-only and blank lines dropped, optional
        `[...]` arguments of a synopsis left out (they are what a newcomer types first)."""
        commands: list[str] = []
        pending = ""
        for raw in self.lines:
            line = pending + raw.strip()
            if line.endswith("\\"):
                pending = line[:-1].rstrip() + " "
                continue
            pending = ""
            if line and not line.startswith("#"):
                commands.append(OPTIONAL.sub("", line))
        return commands


def blocks(text: str, marker: str) -> list[Block]:
    """Every fenced block whose line before the fence starts with `marker`."""
    found: list[Block] = []
    lines = text.splitlines()
    heading, index = "", 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
            if index > 0 and lines[index - 1].startswith(marker):
                found.append(Block(heading, line[3:].strip(), tuple(lines[index + 1 : end]), index + 2))
            index = end + 1
            continue
        if match := HEADING.match(line):
            heading = match["title"]
        index += 1
    return found


def options_in(text: str) -> set[str]:
    return set(OPTION.findall(text))


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of each row of the markdown table whose header line is `header`."""
    lines = text.splitlines()
    start = lines.index(header) + 2
    rows: list[list[str]] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip("|"))])
    return rows


def paragraph_after(text: str, opening: str) -> str:
    """The paragraph that starts with `opening`, up to the next blank line."""
    start = text.index(opening)
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else len(text)]
