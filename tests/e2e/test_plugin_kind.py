"""Adding a kind is one kind module and one provider module: a package outside provision declares
`sql_firewall_rule` through the `provision.kinds` entry point, and validate, schema, plan, apply,
verify and destroy take it up with no other edit (issue #9)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provisioner.azure.clients import Clients
from tests.e2e.conftest import DATA, Cloud, Outcome

pytestmark = pytest.mark.e2e
PLUGIN = DATA / "plugin"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin package and its distribution metadata, in a temporary folder put on PYTHONPATH."""
    folder = tmp_path_factory.mktemp("plugin")
    shutil.copytree(PLUGIN / "widget_kinds", folder / "widget_kinds")
    shutil.copytree(PLUGIN / "widget_kinds-1.0.dist-info", folder / "widget_kinds-1.0.dist-info")
    return folder


def provision(cloud: Cloud, plugin_path: Path, *args: str) -> Outcome:
    """`provision ARGS` in a process of its own, with the plugin importable."""
    env = {key: value for key, value in os.environ.items() if key != "PROVISION_TARGET"}
    env["PYTHONPATH"] = os.pathsep.join([str(plugin_path), *filter(None, [env.get("PYTHONPATH")])])
    command = [sys.executable, "-c", "from provisioner.cli.main import main; main()", *cloud.args(*args)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    return Outcome(done.returncode, done.stdout, done.stderr)


def test_a_kind_from_a_package_validates_plans_applies_verifies_and_goes(
    cloud: Cloud, sdk: Clients, plugin_path: Path, prefix: str
) -> None:
    scenario = str(PLUGIN / "scenario.yaml")
    options = ["--var", f"prefix={prefix}", "--deployment", prefix]
    validated = provision(cloud, plugin_path, "validate", scenario, "--var", f"prefix={prefix}")
    assert validated.code == 0, validated.err

    schema = json.loads(provision(cloud, plugin_path, "schema").out)
    assert "sql_firewall_rule" in schema["properties"]["resources"]["additionalProperties"]["discriminator"]["mapping"]

    planned = provision(cloud, plugin_path, "plan", scenario, *options)
    assert planned.code == 0, planned.err
    assert '+ sql_firewall_rule "office"' in planned.out

    applied = provision(cloud, plugin_path, "apply", scenario, *options, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    rule = sdk.sql.firewall_rules.get(f"{prefix}-rg", f"{prefix}-sql", "office")
    assert (rule.start_ip_address, rule.end_ip_address) == ("203.0.113.1", "203.0.113.9")

    again = provision(cloud, plugin_path, "plan", scenario, *options, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err

    verified = provision(cloud, plugin_path, "verify", scenario, *options, "--json")
    assert verified.code == 0, verified.out + verified.err
    assert [check["result"] for check in json.loads(verified.out)["checks"]] == ["pass"]

    destroyed = provision(cloud, plugin_path, "destroy", scenario, *options, "--auto-approve")
    assert destroyed.code == 0, destroyed.out + destroyed.err
    assert [group.name for group in sdk.resources.resource_groups.list() if group.name.startswith(prefix)] == []


def test_without_the_package_the_kind_is_unknown(cloud: Cloud, plugin_path: Path) -> None:
    refused = provision(cloud, plugin_path.parent / "absent", "validate", str(PLUGIN / "scenario.yaml"))
    assert refused.code == 2
    assert "unknown kind 'sql_firewall_rule'" in refused.err
