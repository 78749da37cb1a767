"""The Azure runner's Linux script, run here with dash (or sh) and curl against the local cloud, as Run
Command would run it inside the VM: the VM's IMDS (the local cloud's, instead of 169.254.169.254), the
local cloud's CA through the script's `cacert`, the URLs verify finds as the operator (path-style blob
endpoints and a vault URI with a path here; Azure's are host-style)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from provisioner.azure.clients import Clients
from provisioner.state import DeploymentState, StateStore
from provisioner.verify.abilities import Action
from provisioner.verify.actors import Actor
from provisioner.verify.locate import Locating, locate
from provisioner.verify.model import Actual, Outcome
from provisioner.verify.probe_steps import MARKER
from provisioner.verify.runcommand import LINUX_SQL_REASON, PG_REASON, WEB_APP_REASON, RunCommandRunner
from provisioner.verify.runcommand_calls import Where, build_script
from provisioner.verify.runcommand_linux import linux_script
from provisioner.verify.runcommand_output import read_output
from provisioner.verify.runner import Probe
from provisioner.verify.targets import API_VERSIONS
from tests.verify.conftest import Deployment, VerifyCloud, vm_resources

pytestmark = pytest.mark.e2e
SHELL = shutil.which("dash") or "sh"  # POSIX sh: Run Command's shell may not be bash
BLOB = "dir/a b&c.txt"  # percent-encoded in the URL, XML-escaped in the listing
RESOURCES = vm_resources("rc").replace(
    "identity: {system_assigned: true}", 'identity: {system_assigned: true, user_assigned: ["${uai.id}"]}'
)


def role(name: str, scope: str, role_name: str, principal: str) -> str:
    """A role assignment entry of `resources:` (`scope` a resource, `principal` a reference)."""
    entry = f'kind: role_assignment, scope: "${{{scope}.id}}", role: {role_name}, principal: "${{{principal}}}"'
    return f"  {name}: {{{entry}}}\n"


RESOURCES += f"""\
  uai: {{kind: user_assigned_identity, resource_group: "${{rg.name}}", name: rc-uai}}
  storage: {{kind: storage_account, resource_group: "${{rg.name}}", name: rcstore}}
  container: {{kind: blob_container, storage_account: "${{storage.id}}", name: data}}
  hello: {{kind: blob, container: "${{container.id}}", name: "{BLOB}", content: "hello", depends_on: [operator_writes]}}
  kv: {{kind: key_vault, resource_group: "${{rg.name}}", name: rc-kv}}
  secret: {{kind: key_vault_secret, vault: "${{kv.id}}", name: app-secret, value: {{generate: {{length: 16}}}}}}
  vm_gets_secrets:
    {{kind: key_vault_access_policy, vault: "${{kv.id}}", object_id: "${{vm.identity.principal_id}}", secrets: [get]}}
"""
RESOURCES += "".join(
    [
        role("operator_writes", "container", "Storage Blob Data Contributor", "target.principal_id"),
        role("vm_reads", "container", "Storage Blob Data Reader", "vm.identity.principal_id"),
        role("uai_writes", "container", "Storage Blob Data Contributor", "uai.principal_id"),
        role("uai_gets_sas", "storage", "Storage Account Contributor", "uai.principal_id"),
        role("uai_writes_other", "other", "Contributor", "uai.principal_id"),
    ]
)


@dataclass(frozen=True)
class Vm:
    """The deployment's VM, and what the tests need to act inside it."""

    cloud: VerifyCloud
    sdk: Clients
    state: DeploymentState

    def probe(self, probe_id: str, action: Action, target: str, slug: str = "vm") -> Probe:
        return Probe(probe_id, action, locate(action, Locating(self.state.resources[target], slug, self.sdk)))

    @property
    def uai(self) -> str:
        return str(self.state.resources["uai"].exports["client_id"])

    def run(self, probes: list[Probe], client_id: str | None = None) -> tuple[dict[str, Outcome], str]:
        """Each probe's outcome from the Linux script run in dash as the VM, and what the script printed."""
        vm_id = str(self.state.resources["vm"].azure_id)
        authority = self.cloud.control("GET", f"/_cloud/vm-identity-endpoint?id={quote(vm_id)}")["authority_host"]
        where = Where(self.sdk.target.profile, self.sdk.subscription_id)
        imds = f"{authority}/metadata/identity/oauth2/token"
        script, rejected = build_script(where, client_id, probes, imds_url=imds, cacert=str(self.cloud.server.ca_cert))
        assert rejected == {}
        trusted = {"CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"}  # only the script's cacert is trusted
        environment = {name: value for name, value in os.environ.items() if name not in trusted}
        command = [SHELL, "-c", linux_script(script)]
        done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return read_output(done.stdout, probes), done.stdout


@pytest.fixture(scope="module")
def vm(cloud: VerifyCloud, sdk: Clients, tmp_path_factory: pytest.TempPathFactory) -> Vm:
    Deployment(cloud, tmp_path_factory.mktemp("scenarios"), "rc", RESOURCES).apply()
    state = StateStore(cloud.state_dir).load("rc")
    assert state is not None
    return Vm(cloud, sdk, state)


def arm_read(probe_id: str, resource_id: str) -> Probe:
    return Probe(probe_id, Action.ARM_READ, {"resource_id": resource_id, "api_version": API_VERSIONS["resource_group"]})


def actual(outcome: Outcome) -> tuple[Actual, str | None]:
    return outcome.actual, outcome.code


def test_arm_reads_as_the_vm(vm: Vm, sdk: Clients) -> None:
    groups = f"/subscriptions/{sdk.subscription_id}/resourceGroups"
    probes = [arm_read("0", f"{groups}/rc-rg"), arm_read("1", f"{groups}/rc-other"), arm_read("2", f"{groups}/rc-rg/x")]
    outcomes, _ = vm.run(probes)
    assert outcomes["0"].actual is Actual.ALLOWED
    assert actual(outcomes["1"]) == (Actual.REFUSED, "AuthorizationFailed")
    assert outcomes["2"].actual is Actual.ERROR


def test_no_token_fails_every_check_needing_it(vm: Vm) -> None:
    probes = [vm.probe("0", Action.ARM_READ, "rg"), vm.probe("1", Action.BLOB_READ, "container")]
    outcomes, _ = vm.run(probes, client_id="00000000-0000-0000-0000-000000000001")
    assert [outcomes[key].actual for key in "01"] == [Actual.ERROR, Actual.ERROR]
    assert outcomes["0"].detail.startswith("no token as the identity for arm (IMDS):")
    assert outcomes["1"].detail.startswith("no token as the identity for storage (IMDS):")


def test_resource_group_write_is_refused_to_a_reader_and_changes_nothing_when_allowed(vm: Vm, sdk: Clients) -> None:
    tags = sdk.resources.resource_groups.get("rc-other").tags
    outcomes, _ = vm.run([vm.probe("0", Action.GROUP_WRITE, "rg")])
    assert actual(outcomes["0"]) == (Actual.REFUSED, "AuthorizationFailed")  # Reader on the group
    outcomes, _ = vm.run([vm.probe("0", Action.GROUP_WRITE, "other")], client_id=vm.uai)
    assert outcomes["0"].actual is Actual.ALLOWED, outcomes["0"].detail  # Contributor on the group
    assert sdk.resources.resource_groups.get("rc-other").tags == tags


def test_a_blob_reader_reads_the_first_blob_and_cannot_write(vm: Vm) -> None:
    probes = [vm.probe("0", Action.BLOB_READ, "container"), vm.probe("1", Action.BLOB_WRITE, "container")]
    outcomes, _ = vm.run(probes)
    assert outcomes["0"].actual is Actual.ALLOWED
    assert outcomes["0"].detail.startswith(f"listed the container and downloaded blob '{BLOB}' (5 bytes)")
    assert actual(outcomes["1"]) == (Actual.REFUSED, "AuthorizationPermissionMismatch")


def test_a_blob_contributor_writes_the_marker(vm: Vm, sdk: Clients) -> None:
    outcomes, _ = vm.run([vm.probe("0", Action.BLOB_WRITE, "container", slug="uai")], client_id=vm.uai)
    assert outcomes["0"].actual is Actual.ALLOWED, outcomes["0"].detail
    container = sdk.blob_service(blob_endpoint(sdk)).get_container_client("data")
    assert container.download_blob("provision-verify/uai.txt").readall() == MARKER


def test_a_storage_account_contributor_writes_and_reads_with_a_service_sas(vm: Vm, sdk: Clients) -> None:
    probes = [vm.probe("0", Action.SAS_WRITE, "container", slug="uai"), vm.probe("1", Action.SAS_READ, "container")]
    outcomes, _ = vm.run(probes, client_id=vm.uai)
    assert [outcomes[key].actual for key in "01"] == [Actual.ALLOWED, Actual.ALLOWED], outcomes
    assert "wrote blob 'provision-verify/uai-sas.txt' with it and read it back" in outcomes["0"].detail
    assert outcomes["1"].detail.startswith("got a service SAS through ARM, then listed the container and downloaded")
    container = sdk.blob_service(blob_endpoint(sdk)).get_container_client("data")
    assert container.download_blob("provision-verify/uai-sas.txt").readall() == MARKER


def test_listservicesas_is_refused_without_the_action(vm: Vm) -> None:
    outcomes, _ = vm.run([vm.probe("0", Action.SAS_READ, "container")])
    assert actual(outcomes["0"]) == (Actual.REFUSED, "AuthorizationFailed")
    assert outcomes["0"].detail.startswith("listServiceSas (ARM) was refused (HTTP 403)")


def test_a_secret_is_read_under_an_access_policy_and_never_printed(vm: Vm, sdk: Clients) -> None:
    probes = [vm.probe("0", Action.SECRET_READ, "secret")]
    allowed, printed = vm.run(probes)
    refused, _ = vm.run(probes, client_id=vm.uai)
    assert allowed["0"].actual is Actual.ALLOWED
    assert actual(refused["0"]) == (Actual.REFUSED, "Forbidden")
    value = sdk.secret_client(str(probes[0].params["vault_url"])).get_secret("app-secret").value
    assert value and value not in printed


def test_only_web_apps_and_the_sql_checks_of_linux_vms_are_skipped(vm: Vm, sdk: Clients) -> None:
    runner = RunCommandRunner(sdk)
    linux = Actor("vm", "virtual_machine", str(vm.state.resources["vm"].azure_id), None, "vm")
    web = Actor("web", "web_app", "/subscriptions/s/resourceGroups/g/providers/x/y/web", None, "web")
    assert runner.unsupported(linux, Action.PG_READ) == runner.unsupported(linux, Action.PG_WRITE) == PG_REASON
    databases = (Action.PG_READ, Action.PG_WRITE)
    assert all(runner.unsupported(linux, action) is None for action in Action if action not in databases)
    assert runner.unsupported(web, Action.ARM_READ) == WEB_APP_REASON
    database = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/srv/databases/db"
    # The VM is Linux (read through ARM): its SQL check is skipped before any Run Command is sent
    outcomes = runner.run(linux, [Probe("0", Action.SQL_READ, {"database_id": database})])
    assert (outcomes["0"].actual, outcomes["0"].detail) == (Actual.SKIPPED, LINUX_SQL_REASON)


def blob_endpoint(sdk: Clients) -> str:
    return str(sdk.storage.storage_accounts.get_properties("rc-rg", "rcstore").primary_endpoints.blob)
