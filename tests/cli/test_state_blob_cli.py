"""`apply` and `destroy` with `--state azblob://...`: one runner applies, another destroys from a
different directory and HOME; an apply while another holds the lease names the holder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from provisioner.azure.target import local_target
from provisioner.state.select import open_backend
from tests.cli.blob_state import ACCOUNT
from tests.cli.blob_state import connection_of as _connection
from tests.e2e.conftest import TUTORIAL, Cloud
from tests.e2e.test_tutorial import looks_generated, strings
from tests.emulator.clients import operator_credential_for
from tests.emulator.helpers_storage import blob_service

pytestmark = pytest.mark.e2e
GROUP = (
    "scenario: group\nresources:\n  rg:\n    kind: resource_group\n    name: ${var.prefix}-rg\n    location: westus\n"
)


def _runner(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / name
    home.mkdir()
    monkeypatch.chdir(home)
    monkeypatch.setenv("HOME", str(home))
    return home


def test_apply_in_one_runner_destroy_in_another(
    cloud: Cloud, location: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _runner(tmp_path, "runner-1", monkeypatch)
    path = first / "s.yaml"
    path.write_text("variables:\n  prefix: x\n" + GROUP)
    applied = cloud.run("apply", str(path), "--var", f"prefix={prefix}", "--state", location, "--auto-approve")
    assert applied.code == 0, applied.text
    backend = open_backend(location, local_target(_connection(cloud)))
    assert backend.load_or_new("group").resources  # the state is in the blob
    assert not (cloud.state_dir / "group.json").exists()  # and not in the local directory
    second = _runner(tmp_path, "runner-2", monkeypatch)
    (second / "s.yaml").write_text(path.read_text())
    destroyed = cloud.run(
        "destroy", "s.yaml", "--var", f"prefix={prefix}", "--auto-approve", env={"PROVISION_STATE": location}
    )
    assert destroyed.code == 0, destroyed.text
    assert backend.load("group") is None


def test_a_second_apply_names_the_holder(cloud: Cloud, location: str, prefix: str, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("variables:\n  prefix: x\n" + GROUP)
    backend = open_backend(location, local_target(_connection(cloud)))
    with backend.lock("group", command="apply"):
        second = cloud.run("apply", str(path), "--var", f"prefix={prefix}", "--state", location, "--auto-approve")
    assert second.code == 1, second.text
    assert f"deployment 'group' is locked by pid {os.getpid()}" in second.err and "(apply)" in second.err


def test_no_secret_reaches_the_blob(cloud: Cloud, location: str, prefix: str) -> None:
    where = location + "/secrets"
    run = ["--var", f"prefix={prefix}", "--deployment", prefix, "--state", where, "--auto-approve"]
    applied = cloud.run("apply", str(TUTORIAL), *run)
    assert applied.code == 0, applied.text
    backend = open_backend(where, local_target(_connection(cloud)))
    state = backend.load_or_new(prefix)
    assert state.resources["vm"].secrets_set == ["admin_password"]
    blob = blob_service(cloud.server, ACCOUNT, operator_credential_for(cloud.server)).get_blob_client(
        "state", f"pipeline/secrets/{prefix}.json"
    )
    raw = json.loads(blob.download_blob().readall())  # the document as stored, read with the SDK
    assert not [value for value in strings(raw) if looks_generated(value)]  # the generated password is nowhere
    assert cloud.server.cloud.identity.operator_secret not in json.dumps(raw)
    assert cloud.run("destroy", str(TUTORIAL), *run).code == 0


def test_output_and_show_read_blob_state(cloud: Cloud, location: str, prefix: str, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("variables:\n  prefix: x\n" + GROUP)
    where = location + "/shown"
    run = ["--var", f"prefix={prefix}", "--deployment", prefix, "--state", where, "--auto-approve"]
    assert cloud.run("apply", str(path), *run).code == 0
    shown = cloud.run("show", "--state", where, "--data-dir", str(cloud.data_dir), "--json")
    assert shown.code == 0, shown.text
    assert json.loads(shown.out)["deployment"] == prefix
    assert cloud.run("destroy", str(path), *run).code == 0
