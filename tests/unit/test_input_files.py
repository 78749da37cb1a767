"""Input files that are not plain small files: links to devices, FIFOs, directories, huge or outside files.

The special files run through the real CLI in a child process with a time and memory limit, so
that a reader that blocks on a FIFO or reads /dev/zero to the end fails the test instead of
hanging it or exhausting the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from provisioner.kinds.blob import BlobSpec
from provisioner.scenario import load_scenario
from tests.unit.conftest import Diagnose, Write
from tests.unit.test_bad_input import RG, blob
from tests.unit.test_cli import run

MEMORY_LIMIT = 2 << 30  # far above what validate needs, far below what reading /dev/zero to the end takes
SECONDS = 60  # far above what validate needs; a reader blocked on a FIFO never finishes
DEVICE = "not a regular file (a device) (give the path of a regular file)"
FIFO = "not a regular file (a named pipe) (give the path of a regular file)"
VARIABLE = "scenario: t\nvariables:\n  location: westus\nresources:\n  rg:\n    kind: resource_group\n    name: rg\n"
VARIABLE += "    location: ${var.location}\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate(*args: str) -> tuple[int, str]:
    """`provision validate ARGS` in a child process: its exit code and stderr."""
    done = subprocess.run(
        [sys.executable, "-c", "from provisioner.cli.main import main; main()", "validate", *args],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=_limit_memory,
        check=False,
    )
    return done.returncode, done.stderr


def test_a_scenario_linked_to_dev_zero_is_refused_unread(write: Write) -> None:
    os.symlink("/dev/zero", "s.yaml")
    assert validate("s.yaml") == (2, f"s.yaml:1:1: error: cannot read scenario: {DEVICE}\n")


def test_a_scenario_that_is_a_fifo_is_refused_without_blocking(write: Write) -> None:
    os.mkfifo("s.yaml")
    assert validate("s.yaml") == (2, f"s.yaml:1:1: error: cannot read scenario: {FIFO}\n")


def test_a_huge_scenario_is_refused_after_reading_past_the_limit_only(write: Write) -> None:
    with open("s.yaml", "wb") as file:
        file.truncate(4 << 30)  # sparse: 4 GiB that take no disk
    assert validate("s.yaml") == (2, "s.yaml:1:1: error: file is larger than 1024 KiB\n")


def test_a_vars_file_that_is_a_fifo_or_a_device_is_refused(write: Write) -> None:
    write(VARIABLE)
    os.mkfifo("fifo.yaml")
    os.symlink("/dev/zero", "zero.yaml")
    assert validate("s.yaml", "--vars-file", "fifo.yaml") == (
        2,
        f"fifo.yaml:1:1: error: cannot read vars file: {FIFO}\n",
    )
    assert validate("s.yaml", "--vars-file", "zero.yaml") == (
        2,
        f"zero.yaml:1:1: error: cannot read vars file: {DEVICE}\n",
    )


def test_a_content_file_that_is_a_fifo_or_a_device_is_refused(write: Write) -> None:
    Path("files").mkdir()
    os.mkfifo("files/fifo.txt")
    os.symlink("/dev/zero", "files/zero.txt")
    write(blob("    name: a.txt\n    content_file: files/fifo.txt\n"), "fifo.yaml")
    write(blob("    name: a.txt\n    content_file: files/zero.txt\n"), "zero.yaml")
    code, err = validate("fifo.yaml", "zero.yaml", "--allow-outside-files")  # /dev/zero is outside
    hint = "(the path is relative to the folder of the scenario file)"
    assert (code, err) == (
        2,
        "fifo.yaml:19:19: error: cannot read 'files/fifo.txt': not a regular file (a named pipe) " + hint + "\n"
        "zero.yaml:19:19: error: cannot read 'files/zero.txt': not a regular file (a device) " + hint + "\n",
    )


@pytest.mark.parametrize("command", ["validate", "graph", "plan", "apply", "verify", "destroy"])
def test_a_directory_as_scenario_says_where_and_what(
    write: Write, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    Path("scenarios").mkdir()
    code, _, err = run(capsys, command, "scenarios")
    assert (code, err) == (2, "scenarios:1:1: error: cannot read scenario: Is a directory (give the path of a file)\n")


def test_a_directory_as_vars_file_says_where_and_what(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(VARIABLE)
    Path("vars").mkdir()
    code, _, err = run(capsys, "validate", "s.yaml", "--vars-file", "vars")
    assert (code, err) == (2, "vars:1:1: error: cannot read vars file: Is a directory (give the path of a file)\n")


OUTSIDE = blob("    name: a.txt\n    content_file: ../outside.txt\n")
OUTSIDE_ERROR = (
    "s.yaml:19:19: error: '{}' is outside the scenario's folder "
    "(move the file into that folder, or pass --allow-outside-files to read it)"
)


def test_a_link_out_of_the_folder_is_outside_too(write: Write, diagnose: Diagnose) -> None:
    Path("files").mkdir()
    os.symlink("/etc/hostname", "files/hostname")
    assert diagnose(blob("    name: a.txt\n    content_file: files/hostname\n")) == [
        OUTSIDE_ERROR.format("files/hostname")
    ]


def test_a_file_outside_the_folder_is_read_when_allowed(write: Write) -> None:
    Path("inner").mkdir()
    write("from outside\n", "outside.txt")
    scenario = write(OUTSIDE, "inner/s.yaml")
    spec = load_scenario(scenario, env={}, allow_outside_files=True).resources["b"].spec
    assert isinstance(spec, BlobSpec) and spec.content == "from outside\n"


def test_the_cli_refuses_an_outside_file_unless_allowed(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    Path("inner").mkdir()
    write("from outside\n", "outside.txt")
    write(OUTSIDE, "inner/s.yaml")
    code, _, err = run(capsys, "validate", "inner/s.yaml")
    assert (code, err) == (2, OUTSIDE_ERROR.format("../outside.txt").replace("s.yaml", "inner/s.yaml", 1) + "\n")
    code, out, err = run(capsys, "validate", "inner/s.yaml", "--allow-outside-files")
    assert (code, err) == (0, "") and "is valid" in out


@pytest.mark.parametrize("command", ["validate", "graph", "plan", "apply", "verify", "destroy"])
def test_every_command_that_loads_a_scenario_takes_allow_outside_files(
    write: Write, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    Path("inner").mkdir()
    write("x\n", "outside.txt")
    write(OUTSIDE.replace("  b:", "  b:\n    depends_on: [missing]"), "inner/s.yaml")
    code, _, err = run(capsys, command, "inner/s.yaml", "--allow-outside-files")
    # The load gets past the file (no outside error) and stops at the next bad input, before any cloud call.
    assert (code, err) == (2, "inner/s.yaml:16:18: error: unknown resource 'missing' in depends_on\n")


EMPTY = "environment variable '{0}' is set but empty (a secret cannot be empty: set {0} to the value)"


def test_an_empty_secret_is_refused_where_it_is_used(write: Write, diagnose: Diagnose) -> None:
    content = RG + "  sql:\n    kind: sql_server\n    resource_group: ${rg.name}\n    name: sql1\n"
    content += "    administrator_login: dba\n    administrator_password: ${env.SQL_PASSWORD}\n"
    content += "  kv:\n    kind: key_vault\n    resource_group: ${rg.name}\n    name: kv1\n"
    content += "  s:\n    kind: key_vault_secret\n    vault: ${kv.id}\n    name: s\n    value: ${env.APP_SECRET}\n"
    assert diagnose(content, env={"SQL_PASSWORD": "", "APP_SECRET": ""}) == [
        f"s.yaml:12:29: error: {EMPTY.format('SQL_PASSWORD')}",
        f"s.yaml:21:12: error: {EMPTY.format('APP_SECRET')}",
    ]


def test_an_empty_value_outside_a_secret_is_a_value(write: Write) -> None:
    content = RG.replace("demo-rg", "demo-rg${env.SUFFIX}")
    assert load_scenario(write(content), env={"SUFFIX": ""}).resources["rg"].spec.name == "demo-rg"  # type: ignore[attr-defined]
