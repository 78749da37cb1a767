"""A fleet file's `state:` block: every member's state and lock in one blob container, with no --state
on the command line; `--state` still overrides it."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.azure.target import local_target
from provisioner.state.select import open_backend
from tests.cli.blob_state import connection_of
from tests.e2e.conftest import Cloud

pytestmark = pytest.mark.e2e
GROUP = (
    "variables:\n  prefix: x\nscenario: group\nresources:\n  rg:\n    kind: resource_group\n"
    "    name: ${var.prefix}-rg\n    location: westus\n"
)


def test_members_keep_state_where_the_fleet_file_says(cloud: Cloud, location: str, prefix: str, tmp_path: Path) -> None:
    (tmp_path / "group.yaml").write_text(GROUP)
    where = location + "/fleet-block"
    members = f"  - {{name: a, vars: {{prefix: {prefix}a}}}}\n  - {{name: b, vars: {{prefix: {prefix}b}}}}\n"
    fleet = tmp_path / "lab.fleet.yaml"
    fleet.write_text(f"fleet: lab\nscenario: group.yaml\nstate: {{location: '{where}'}}\nmembers:\n{members}")
    applied = cloud.run("apply", "--fleet", str(fleet), "--auto-approve", env={"PROVISION_STATE": str(tmp_path / "no")})
    assert applied.code == 0, applied.text
    backend = open_backend(where, local_target(connection_of(cloud)))
    assert backend.deployments() == ["lab-a", "lab-b"]
    assert not (tmp_path / "no").exists() and not cloud.state_dir.exists()  # the block wins over both
    shown = cloud.run("show", "--fleet", str(fleet), "--json", "--data-dir", str(cloud.data_dir))
    assert shown.code == 0 and shown.text.count('"resource_group"') == 2, shown.text
    elsewhere = tmp_path / "elsewhere"
    again = cloud.run("apply", "--fleet", str(fleet), "--state", str(elsewhere), "--auto-approve")
    assert again.code == 0, again.text
    assert sorted(p.name for p in elsewhere.glob("*.json")) == ["lab-a.json", "lab-b.json"]  # --state wins
    destroyed = cloud.run("destroy", "--fleet", str(fleet), "--auto-approve")
    assert destroyed.code == 0, destroyed.text
    assert backend.deployments() == []
