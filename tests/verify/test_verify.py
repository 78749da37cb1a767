"""`provision verify` against the local cloud: each kind of access, as a VM's and a web app's system- and
user-assigned identities, through the CLI (table, JSON, exit codes) and the library."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from provisioner.azure.clients import Clients
from provisioner.scenario import load_scenario
from provisioner.state import StateStore
from provisioner.verify.model import Actual, Result
from provisioner.verify.run import verify
from tests.verify.conftest import Deployment, VerifyCloud, checks, vm_resources

pytestmark = pytest.mark.e2e
NAME = "vfy"
VM_IDENTITY = "identity: {system_assigned: true}"
RESOURCES = vm_resources(NAME).replace(VM_IDENTITY, 'identity: {system_assigned: true, user_assigned: ["${uai.id}"]}')
RESOURCES += """\
  uai: {kind: user_assigned_identity, resource_group: "${rg.name}", name: vfy-uai}
  uai_reads_rg: {kind: role_assignment, scope: "${rg.id}", role: Reader, principal: "${uai.principal_id}"}
  storage: {kind: storage_account, resource_group: "${rg.name}", name: vfystore}
  container: {kind: blob_container, storage_account: "${storage.id}", name: data}
  vm_reads_blobs:
    kind: role_assignment
    scope: ${container.id}
    role: Storage Blob Data Reader
    principal: ${vm.identity.principal_id}
  operator_reads_blobs:
    kind: role_assignment
    scope: ${container.id}
    role: Storage Blob Data Reader
    principal: ${target.principal_id}
  uai_gets_sas:
    {kind: role_assignment, scope: "${storage.id}", role: Storage Account Contributor, principal: "${uai.principal_id}"}
  kv: {kind: key_vault, resource_group: "${rg.name}", name: vfy-kv}
  secret: {kind: key_vault_secret, vault: "${kv.id}", name: app-secret, value: {generate: {length: 16}}}
  vm_gets_secrets:
    {kind: key_vault_access_policy, vault: "${kv.id}", object_id: "${vm.identity.principal_id}", secrets: [get]}
  readers: {kind: entra_group, display_name: vfy-sql-readers}
  vm_in_readers: {kind: group_member, group: "${readers.id}", member: "${vm.identity.principal_id}"}
  sql:
    kind: sql_server
    resource_group: ${rg.name}
    name: vfy-sql
    administrator_login: sqladmin
    administrator_password: {generate: {length: 24}}
  db: {kind: sql_database, server: "${sql.id}", name: appdb}
  sql_admin: {kind: sql_entra_admin, server: "${sql.id}", login: "${readers.display_name}", object_id: "${readers.id}"}
  plan: {kind: app_service_plan, resource_group: "${rg.name}", name: vfy-plan}
  web:
    kind: web_app
    resource_group: ${rg.name}
    name: vfy-web
    plan: ${plan.id}
    identity: {system_assigned: true, user_assigned: ["${uai.id}"]}
  web_reads_rg: {kind: role_assignment, scope: "${rg.id}", role: Reader, principal: "${web.identity.principal_id}"}
  web_writes_other:
    {kind: role_assignment, scope: "${other.id}", role: Contributor, principal: "${web.identity.principal_id}"}
"""
PASSING = checks(
    "vm read rg",
    "vm none other",
    "vm read container",
    "vm read secret",
    "vm read db",
    "vm via uai read storage",
    "uai sas_write container",
    "uai sas_read container",
    "uai none other",
    "web read rg",
    "web write other",
    "web none secret",
    "web none container",
    "web none db",
    "web via uai read kv",
)


@pytest.fixture(scope="module")
def deployment(cloud: VerifyCloud, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    applied = Deployment(cloud, tmp_path_factory.mktemp("scenarios"), NAME, RESOURCES)
    applied.apply()
    return applied


def by_check(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["check"]: entry for entry in report["checks"]}


def test_every_access_is_proven_with_the_identitys_own_token(deployment: Deployment, sdk: Clients) -> None:
    tags = sdk.resources.resource_groups.get("vfy-other").tags
    verified = deployment.run("verify", deployment.scenario("passing", PASSING), "--json")
    report = json.loads(verified.out)
    assert verified.code == 0, verified.text
    assert report["summary"] == {"passed": 15, "failed": 0, "skipped": 0, "ok": True}
    assert sdk.resources.resource_groups.get("vfy-other").tags == tags  # the write check changed nothing
    results = by_check(report)
    assert results["vm cannot read other"]["code"] == "AuthorizationFailed"
    assert results["web cannot read secret"]["code"] == "Forbidden"
    assert results["web cannot read db"]["code"] == "18456"
    assert results["web cannot read container"]["code"] == "AuthorizationPermissionMismatch"
    assert results["vm via uai can read storage"]["acting_as"] == "vm as uai"
    assert results["uai can sas_write container"]["acting_as"] == "uai (on vm)"
    assert results["web via uai can read kv"]["acting_as"] == "web as uai"
    assert "read it back" in results["uai can sas_write container"]["detail"]


def test_json_output_has_one_entry_per_check_with_expected_and_actual(deployment: Deployment) -> None:
    verified = deployment.run("verify", deployment.scenario("json", checks("vm none rg", "web read rg")), "--json")
    report = json.loads(verified.out)
    assert verified.code == 1
    assert set(report) == {"scenario", "deployment", "target", "checks", "summary"}
    assert (report["scenario"], report["deployment"], report["target"]) == (NAME, NAME, "local")
    first = report["checks"][0]
    assert set(first) == {
        "index", "check", "location", "identity", "via", "ability", "target", "acting_as", "expected", "actual",
        "code", "result", "detail",
    }  # fmt: skip
    assert (first["index"], first["identity"], first["via"], first["ability"], first["target"]) == (
        0,
        "vm",
        None,
        "read",
        "rg",
    )
    assert (first["expected"], first["actual"], first["code"], first["result"]) == ("refused", "allowed", None, "fail")
    assert first["location"].endswith(f"json.yaml:{len(RESOURCES.splitlines()) + 4}:5")
    assert first["detail"].startswith("allowed, but the check expects a refusal")
    assert report["checks"][1]["result"] == "pass"


def test_access_beyond_the_roles_is_refused_and_fails_with_azures_code(deployment: Deployment) -> None:
    scenario = deployment.scenario("beyond", checks("vm read rg", "vm write rg", "vm write container", "vm none rg"))
    verified = deployment.run("verify", scenario)
    assert verified.code == 1, verified.text
    rows = [line.split() for line in verified.out.splitlines() if re.match(r"\d+ +vm can", line)]
    assert [row[-2:] for row in rows] == [
        ["allowed", "pass"],
        ["(AuthorizationFailed)", "fail"],
        ["(AuthorizationPermissionMismatch)", "fail"],
        ["allowed", "fail"],
    ]
    assert "Microsoft.Resources/subscriptions/resourceGroups/write" in verified.out
    assert "Verify: 1 passed, 3 failed, 0 skipped, of 4 checks." in verified.out


def test_cannot_write_passes_when_the_write_is_refused_and_leaves_nothing(deployment: Deployment, sdk: Clients) -> None:
    written = checks("vm cannot write rg", "vm cannot write container", "uai sas_write container")
    scenario = deployment.scenario("cannot-write", written)
    verified = deployment.run("verify", scenario)
    assert verified.code == 0, verified.text
    rows = [line.split() for line in verified.out.splitlines() if re.match(r"\d+ +vm cannot write", line)]
    assert [row[-3:] for row in rows] == [
        ["refused", "(AuthorizationFailed)", "pass"],  # Reader on the group
        ["refused", "(AuthorizationPermissionMismatch)", "pass"],  # Storage Blob Data Reader on the container
    ]
    account_url = sdk.storage.storage_accounts.get_properties("vfy-rg", "vfystore").primary_endpoints.blob
    container = sdk.blob_service(account_url).get_container_client("data")
    names = [blob.name for blob in container.list_blobs(name_starts_with="provision-verify/")]
    assert "provision-verify/uai-on-vm-sas.txt" in names  # an allowed write leaves its marker
    assert "provision-verify/vm-system-assigned.txt" not in names  # a refused one leaves nothing


def test_cannot_write_fails_when_the_write_is_allowed(deployment: Deployment, sdk: Clients) -> None:
    tags = sdk.resources.resource_groups.get("vfy-other").tags
    verified = deployment.run("verify", deployment.scenario("contributor", checks("web cannot write other")), "--json")
    assert verified.code == 1, verified.text
    (result,) = json.loads(verified.out)["checks"]
    assert (result["check"], result["ability"], result["expected"], result["actual"], result["result"]) == (
        "web cannot write other",
        "write",
        "refused",
        "allowed",
        "fail",
    )  # Contributor on the group
    assert result["detail"].startswith("allowed, but the check expects a refusal")
    assert sdk.resources.resource_groups.get("vfy-other").tags == tags  # the write it made changed nothing


def test_checks_of_what_is_not_applied_fail_without_running(deployment: Deployment) -> None:
    later = deployment.resources + "  later: {kind: resource_group, name: vfy-later, location: westus}\n"
    extended = Deployment(deployment.cloud, deployment.directory, NAME, later)
    verified = extended.run("verify", extended.scenario("later", checks("vm read later", "vm none later")))
    assert verified.code == 1
    assert verified.out.count("not applied") >= 2
    assert "'later' is not applied (not in the deployment state)" in verified.out

    nowhere = deployment.run("verify", deployment.scenario("nowhere", PASSING), "--deployment", "never-applied")
    assert nowhere.code == 1
    assert "Verify: 0 passed, 15 failed, 0 skipped, of 15 checks." in nowhere.out


def test_bad_input_exits_2_before_any_cloud_call(deployment: Deployment) -> None:
    verified = deployment.run("verify", deployment.scenario("bad", checks("vm fly rg")))
    assert verified.code == 2
    assert "a check cannot prove 'fly' on a resource_group" in verified.err


def test_the_library_reports_each_outcome(deployment: Deployment, sdk: Clients) -> None:
    path = deployment.scenario("library", checks("uai write container", "uai read secret"))
    state = StateStore(deployment.cloud.state_dir).load(NAME)
    report = verify(load_scenario(path), state, sdk, deployment=NAME, target="local")
    write, secret = report.results
    assert (write.outcome.actual, write.outcome.code, write.result) == (
        Actual.REFUSED,
        "AuthorizationPermissionMismatch",
        Result.FAIL,
    )
    assert (secret.outcome.actual, secret.outcome.code) == (Actual.REFUSED, "Forbidden")
    assert write.acting_as == "uai (on vm)" and not report.ok
