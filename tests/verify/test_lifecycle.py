"""What verify says as a deployment goes: a target deleted behind provision's back, then destroy.

A refusal of access to something that is not there proves nothing, so a `none` check fails then,
as every check does once the deployment is destroyed ("not applied")."""

from __future__ import annotations

import json

import pytest

from provisioner.azure.clients import Clients
from tests.verify.conftest import Deployment, VerifyCloud, checks, vm_resources

pytestmark = pytest.mark.e2e
RESOURCES = vm_resources("life")


def results(deployment: Deployment, label: str) -> tuple[int, dict[str, tuple[str, str | None, str]]]:
    verified = deployment.run("verify", deployment.scenario(label, checks("vm read rg", "vm none other")), "--json")
    entries = json.loads(verified.out)["checks"]
    return verified.code, {entry["check"]: (entry["actual"], entry["code"], entry["result"]) for entry in entries}


def test_verify_fails_where_the_access_or_its_target_is_gone(
    cloud: VerifyCloud, sdk: Clients, tmp_path_factory: pytest.TempPathFactory
) -> None:
    deployment = Deployment(cloud, tmp_path_factory.mktemp("scenarios"), "life", RESOURCES)
    deployment.apply()
    assert results(deployment, "applied") == (
        0,
        {
            "vm can read rg": ("allowed", None, "pass"),
            "vm cannot read other": ("refused", "AuthorizationFailed", "pass"),
        },
    )

    sdk.resources.resource_groups.begin_delete("life-other").result()
    code, gone = results(deployment, "other-gone")
    assert code == 1
    assert gone["vm cannot read other"] == ("error", "ResourceGroupNotFound", "fail")
    assert gone["vm can read rg"][2] == "pass"

    destroyed = deployment.run("destroy", deployment.scenario("destroy", "  []\n"), "--auto-approve")
    assert destroyed.code == 0, destroyed.text
    assert results(deployment, "destroyed") == (
        1,
        {
            "vm can read rg": ("not applied", None, "fail"),
            "vm cannot read other": ("not applied", None, "fail"),
        },
    )
