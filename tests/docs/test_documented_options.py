"""The options the docs list for each command are exactly the options the command takes, both ways:
the README's command table (plus its shared options) and the synopses of docs/*.md."""

from __future__ import annotations

import re

import click
import pytest

from provisioner.cli.main import _register_commands, cli
from tests.docs.markdown import README, REPO, SYNOPSIS_MARKER, blocks, options_in, paragraph_after, table_rows

COMMANDS_HEADER = "| command | what it does | exit codes |"
SHARED_OPTIONS_HEADER = "| option | meaning |"
NOT_COVERED = {"cloud"}  # a group: its subcommands are documented in the local cloud's section
SYNOPSIS_DOCS = ["deploy.md", "verify.md", "scenario-language.md"]


def click_options(name: str) -> set[str]:
    _register_commands()
    command = cli.commands[name]
    names = [opt for param in command.params if isinstance(param, click.Option) for opt in param.opts]
    names += [opt for param in command.params if isinstance(param, click.Option) for opt in param.secondary_opts]
    return {name for name in names if name.startswith("--")}


def readme_options() -> dict[str, set[str]]:
    text = README.read_text()
    documented: dict[str, set[str]] = {}
    for row in table_rows(text, COMMANDS_HEADER):
        for span in re.findall(r"`(provision [^`]*)`", row[0]):
            if span.split()[1] not in NOT_COVERED:
                documented.setdefault(span.split()[1], set()).update(options_in(span))
    shared = paragraph_after(text, "Options shared by")
    sentence = re.split(r"\.\s", shared, maxsplit=1)[0]
    heading, listing = sentence.split(":", 1)
    for name in re.findall(r"`(\w+)`", heading):
        documented[name] |= options_in(listing)
    return documented


def synopsis_options(doc: str) -> dict[str, set[str]]:
    text = (REPO / "docs" / doc).read_text()
    rows = table_rows(text, SHARED_OPTIONS_HEADER) if SHARED_OPTIONS_HEADER in text.splitlines() else []
    shared = {option for row in rows for option in options_in(row[0])}
    documented: dict[str, set[str]] = {}
    marked = blocks(text, SYNOPSIS_MARKER)
    assert marked, f"docs/{doc} has no block marked {SYNOPSIS_MARKER}"
    command = ""
    for line in (line for block in marked for line in block.lines):
        if line.startswith("provision "):
            command = line.split()[1]
        documented.setdefault(command, set()).update(options_in(line) | (shared if "[options]" in line else set()))
    return documented


def test_the_readme_documents_every_command() -> None:
    _register_commands()
    assert set(readme_options()) == set(cli.commands) - NOT_COVERED


@pytest.mark.parametrize("command", sorted(readme_options()))
def test_the_readme_lists_exactly_the_options_of(command: str) -> None:
    actual, documented = click_options(command), readme_options()[command]
    assert (sorted(actual - documented), sorted(documented - actual)) == ([], []), "(undocumented, unknown)"


@pytest.mark.parametrize("doc", SYNOPSIS_DOCS)
def test_each_synopsis_lists_exactly_the_options_of_its_command(doc: str) -> None:
    for command, documented in synopsis_options(doc).items():
        actual = click_options(command)
        assert (command, sorted(actual - documented), sorted(documented - actual)) == (command, [], [])


def test_the_parser_sees_what_is_missing() -> None:
    # the comparison is not vacuous: a command with an option the README omits is caught
    assert "--lock-timeout" in click_options("apply")
    assert "--lock-timeout" in readme_options()["apply"]
    assert "--lock-timeout" not in readme_options()["plan"]
    assert "--parallelism" in readme_options()["verify"]
