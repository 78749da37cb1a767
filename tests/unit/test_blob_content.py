"""A blob's `content_file`: read when the scenario loads, relative to the scenario's folder, limited."""

from __future__ import annotations

from pathlib import Path

from provisioner.kinds.blob import BlobSpec
from provisioner.scenario import load_scenario
from tests.unit.conftest import Diagnose, Write
from tests.unit.test_bad_input import blob

FROM_FILE = blob("    name: hello.txt\n    content_file: files/hello.txt\n")


def test_the_file_is_read_relative_to_the_scenario(write: Write) -> None:
    Path("scenarios/files").mkdir(parents=True)
    write("héllo\r\nwörld\n", "scenarios/files/hello.txt")
    scenario = load_scenario(write(FROM_FILE, "scenarios/s.yaml"), env={})
    spec = scenario.resources["b"].spec
    assert isinstance(spec, BlobSpec)
    assert (spec.content, spec.content_file) == ("héllo\r\nwörld\n", "files/hello.txt")


def test_the_scenario_changes_when_its_file_does(write: Write) -> None:
    Path("files").mkdir()
    write("one\n", "files/hello.txt")
    first = load_scenario(write(FROM_FILE), env={}).source_hash
    assert load_scenario(Path("s.yaml"), env={}).source_hash == first
    write("two\n", "files/hello.txt")
    assert load_scenario(Path("s.yaml"), env={}).source_hash != first


def test_a_file_over_64_kib_is_refused(write: Write, diagnose: Diagnose) -> None:
    Path("files").mkdir()
    write(b"x" * (64 * 1024 + 1), "files/hello.txt")
    assert diagnose(FROM_FILE) == ["s.yaml:19:19: error: 'files/hello.txt' is larger than 64 KiB"]


def test_a_file_of_64_kib_is_fine(write: Write) -> None:
    Path("files").mkdir()
    write(b"x" * (64 * 1024), "files/hello.txt")
    spec = load_scenario(write(FROM_FILE), env={}).resources["b"].spec
    assert isinstance(spec, BlobSpec) and spec.content == "x" * 64 * 1024


def test_a_file_must_be_utf8_text(write: Write, diagnose: Diagnose) -> None:
    Path("files").mkdir()
    write(b"caf\xe9\n", "files/hello.txt")
    assert diagnose(FROM_FILE) == ["s.yaml:19:19: error: 'files/hello.txt' is not UTF-8 text (byte 0xe9 at offset 3)"]


def test_a_folder_is_not_a_file(diagnose: Diagnose) -> None:
    Path("files/hello.txt").mkdir(parents=True)
    assert diagnose(FROM_FILE) == [
        "s.yaml:19:19: error: cannot read 'files/hello.txt': Is a directory "
        "(the path is relative to the folder of the scenario file)"
    ]


def test_blob_names_differing_in_case_are_two_blobs(write: Write) -> None:
    other = "  b2:\n    kind: blob\n    container: ${c.id}\n    name: Hello.txt\n    content: hi\n"
    scenario = load_scenario(write(blob("    name: hello.txt\n    content: hi\n") + other), env={})
    assert [name for name, resource in scenario.resources.items() if resource.kind == "blob"] == ["b", "b2"]
