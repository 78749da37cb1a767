"""The Azure runner: which checks it runs inside a VM, and its scripts. The Linux script is run here with
sh and curl against the local cloud (its IMDS instead of 169.254.169.254), as Run Command would run it."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import quote

import pytest

from provisioner.cloud.clients import Clients
from provisioner.state import StateStore
from provisioner.verify.abilities import API_VERSIONS, Action
from provisioner.verify.actors import Actor
from provisioner.verify.model import Actual, Outcome
from provisioner.verify.runcommand import (
    OTHER_REASON,
    SQL_REASON,
    WEB_APP_REASON,
    RunCommandRunner,
    linux_script,
    read_output,
    token_url,
    windows_script,
)
from provisioner.verify.runner import Probe
from tests.verify.conftest import Deployment, VerifyCloud, vm_resources

pytestmark = pytest.mark.e2e
ARM_AUDIENCE = "https://management.azure.com"


@pytest.fixture(scope="module")
def deployment(cloud: VerifyCloud, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    applied = Deployment(cloud, tmp_path_factory.mktemp("scenarios"), "rc", vm_resources("rc"))
    applied.apply()
    return applied


def arm_read(probe_id: str, resource_id: str) -> Probe:
    return Probe(probe_id, Action.ARM_READ, {"resource_id": resource_id, "api_version": API_VERSIONS["resource_group"]})


def run_linux_script(deployment: Deployment, probes: list[Probe], client_id: str | None = None) -> dict[str, Outcome]:
    cloud = deployment.cloud
    state = StateStore(cloud.state_dir).load("rc")
    assert state is not None
    vm_id = str(state.resources["vm"].azure_id)
    authority = cloud.control("GET", f"/_cloud/vm-identity-endpoint?id={quote(vm_id)}")["authority_host"]
    imds = token_url(ARM_AUDIENCE, client_id, imds_url=f"{authority}/metadata/identity/oauth2/token")
    script = linux_script(imds, cloud.server.url, probes)
    environment = {**os.environ, "CURL_CA_BUNDLE": str(cloud.server.ca_cert)}
    command = ["sh", "-c", script]  # POSIX sh (dash here): Run Command's shell may not be bash
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return read_output(done.stdout, probes)


def test_the_linux_script_reads_through_arm_as_the_vm(deployment: Deployment, sdk: Clients) -> None:
    groups = f"/subscriptions/{sdk.subscription_id}/resourceGroups"
    probes = [arm_read("0", f"{groups}/rc-rg"), arm_read("1", f"{groups}/rc-other"), arm_read("2", f"{groups}/rc-rg/x")]
    outcomes = run_linux_script(deployment, probes)
    assert outcomes["0"].actual is Actual.ALLOWED
    assert (outcomes["1"].actual, outcomes["1"].code) == (Actual.REFUSED, "AuthorizationFailed")
    assert outcomes["2"].actual is Actual.ERROR


def test_the_linux_script_reports_that_there_is_no_token(deployment: Deployment, sdk: Clients) -> None:
    probes = [arm_read("0", f"/subscriptions/{sdk.subscription_id}/resourceGroups/rc-rg")]
    outcomes = run_linux_script(deployment, probes, client_id="00000000-0000-0000-0000-000000000001")
    assert outcomes["0"].actual is Actual.ERROR
    assert outcomes["0"].detail.startswith("no token as the identity (IMDS):")


def test_only_arm_reads_inside_a_vm_run_on_azure(sdk: Clients) -> None:
    runner = RunCommandRunner(sdk)
    vm = Actor("vm", "virtual_machine", "/subscriptions/s/resourceGroups/g/providers/x/y/vm", None, "vm")
    web = Actor("web", "web_app", "/subscriptions/s/resourceGroups/g/providers/x/y/web", None, "web")
    assert runner.unsupported(vm, Action.ARM_READ) is None
    assert runner.unsupported(vm, Action.SQL_READ) == SQL_REASON
    assert all(runner.unsupported(vm, action) == OTHER_REASON for action in (Action.BLOB_READ, Action.SECRET_READ))
    assert runner.unsupported(web, Action.ARM_READ) == WEB_APP_REASON


def test_script_output_becomes_outcomes() -> None:
    probes = [arm_read(str(index), f"/subscriptions/s/resourceGroups/g{index}") for index in range(4)]
    text = "noise\nprovision-verify 0 200 -\nprovision-verify 1 403 AuthorizationFailed\nprovision-verify 2 0 -\n"
    outcomes = read_output(text, probes)
    assert [outcomes[str(index)].actual for index in range(4)] == [Actual.ALLOWED, Actual.REFUSED, *[Actual.ERROR] * 2]
    assert outcomes["1"].code == "AuthorizationFailed"
    assert outcomes["3"].detail == "the script printed no result for this check"


def test_the_windows_script_quotes_what_it_requests() -> None:
    script = windows_script(token_url(ARM_AUDIENCE, "c1d"), ARM_AUDIENCE, [arm_read("0", "/subscriptions/s/rg/o'b")])
    assert "resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id=c1d'" in script
    assert "Probe '0' 'https://management.azure.com/subscriptions/s/rg/o%27b?api-version=2021-04-01'" in script
