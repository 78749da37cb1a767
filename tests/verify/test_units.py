"""verify's pure parts: what each `can` does, how outcomes are judged, and the probe protocol."""

from __future__ import annotations

import json
import subprocess

import pytest

from provisioner.scenario import Check, SourceLocation
from provisioner.scenario.checks import ABILITIES
from provisioner.verify.abilities import Action, Expect
from provisioner.verify.local import PROBE_COMMAND, read_answer
from provisioner.verify.model import Actual, CheckResult, Outcome, Result, VerifyReport, error, not_applied, skipped
from provisioner.verify.probe import PROTOCOL, read_request
from provisioner.verify.runner import Probe
from provisioner.verify.targets import ACTIONS, API_VERSIONS, action_for

CHECK = Check("vm", "read", "rg", None, SourceLocation("s.yaml", 3, 5))


def test_every_ability_has_an_action_and_cannot_expects_it_refused() -> None:
    assert set(ACTIONS) == {(kind, can) for kind, abilities in ABILITIES.items() for can in abilities}
    assert set(API_VERSIONS) == set(ABILITIES)
    sas_write = Check("vm", "sas_write", "container", None, CHECK.location)
    assert action_for("blob_container", sas_write) == (Action.SAS_WRITE, Expect.ALLOWED)
    cannot_write = Check("vm", "write", "rg", "uai", CHECK.location, expect_refusal=True)
    assert action_for("resource_group", cannot_write) == (Action.GROUP_WRITE, Expect.REFUSED)
    assert (CHECK.title, cannot_write.title) == ("vm can read rg", "vm via uai cannot write rg")


@pytest.mark.parametrize(
    ("expected", "outcome", "result"),
    [
        (Expect.ALLOWED, Outcome(Actual.ALLOWED), Result.PASS),
        (Expect.ALLOWED, Outcome(Actual.REFUSED, "AuthorizationFailed"), Result.FAIL),
        (Expect.REFUSED, Outcome(Actual.REFUSED, "Forbidden"), Result.PASS),
        (Expect.REFUSED, Outcome(Actual.ALLOWED), Result.FAIL),
        (Expect.REFUSED, error("404 ResourceNotFound", "ResourceNotFound"), Result.FAIL),
        (Expect.REFUSED, not_applied("'rg' is not applied"), Result.FAIL),
        (Expect.ALLOWED, skipped("not on Azure"), Result.SKIPPED),
    ],
)
def test_a_check_passes_only_on_the_outcome_it_expects(expected: Expect, outcome: Outcome, result: Result) -> None:
    assert CheckResult(0, CHECK, "vm (system-assigned)", expected, outcome).result is result


def test_skipped_checks_do_not_fail_the_run_but_are_not_passes() -> None:
    results = [
        CheckResult(0, CHECK, "vm", Expect.ALLOWED, Outcome(Actual.ALLOWED)),
        CheckResult(1, CHECK, "vm", Expect.ALLOWED, skipped("Run Command cannot do this")),
    ]
    report = VerifyReport("s", "d", "azure", results)
    assert report.ok
    assert report.to_json()["summary"] == {"passed": 1, "failed": 0, "skipped": 1, "ok": True}
    assert report.summary().endswith("Skipped checks were not run and prove nothing: they are not passes.")


def test_the_probe_reads_only_well_formed_requests() -> None:
    good = {"protocol": PROTOCOL, "cloud": {}, "checks": [{"id": "0", "action": "arm_read", "params": {}}]}
    assert read_request(json.dumps(good)) == good
    for bad in ({**good, "protocol": 0}, {**good, "checks": [{"id": "0", "action": "fly", "params": {}}]}, []):
        with pytest.raises(ValueError, match=r"protocol|checks"):
            read_request(json.dumps(bad))


def test_the_probe_program_refuses_a_bad_request_with_exit_status_2() -> None:
    done = subprocess.run(PROBE_COMMAND, input="{}", capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "cannot read the request" in done.stderr


def test_a_check_the_probe_does_not_answer_is_an_error() -> None:
    probes = [Probe("0", Action.ARM_READ, {}), Probe("1", Action.ARM_READ, {})]
    outcomes = read_answer(json.dumps({"results": [{"id": "0", "actual": "refused", "code": "X"}]}), probes)
    assert outcomes["0"] == Outcome(Actual.REFUSED, "X", "")
    assert outcomes["1"].actual is Actual.ERROR
    assert read_answer("not json", probes)["0"].detail.startswith("the probe's answer is not readable")
