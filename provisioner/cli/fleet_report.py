"""The end of a fleet's apply or destroy: a line per member (and what failed, with Azure's code and
message), or with `--json` one document: per member its status, outputs, errors and timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from provisioner.engine.report import RunReport, StepFailure
from provisioner.errors import ProvisionError, status_and_code
from provisioner.plan.model import Action


@dataclass(frozen=True)
class MemberResult:
    member: str
    deployment: str
    report: RunReport
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def status(self) -> str:
        if self.report.interrupted:
            return "interrupted"
        return "ok" if self.report.ok else "failed"


def failed_plan(member: str, deployment: str, error: ProvisionError) -> MemberResult:
    """A member whose plan could not be made: nothing of it ran."""
    status, code = status_and_code(error)
    report = RunReport(failed=[StepFailure("(plan)", Action.READ, str(error), status, code)])
    return MemberResult(member, deployment, report)


def print_results(results: list[MemberResult], verb: str) -> None:
    for result in results:
        report = result.report
        writes = sum(1 for _, action in report.done if action.writes)
        line = f"{result.member} ({result.deployment}): {result.status}, {writes} step(s) done"
        if report.failed or report.not_started:
            line += f", {len(report.failed)} failed, {len(report.not_started)} not started"
        click.echo(line + f" in {result.seconds:.1f}s", err=not result.ok)
        for failure in report.failed:
            click.echo(f"  failed: {failure.describe()}", err=True)
        for item in report.leftovers:
            click.echo(f"  left behind: {item}", err=not result.ok)
    failed = [result.member for result in results if not result.ok]
    summary = f"{verb}: {len(results) - len(failed)} of {len(results)} member(s) done"
    click.echo(summary + (f", failed: {', '.join(failed)}." if failed else "."), err=bool(failed))


def results_json(fleet: str, results: list[MemberResult]) -> dict[str, Any]:
    return {
        "fleet": fleet,
        "ok": all(result.ok for result in results),
        "members": [_member_json(result) for result in results],
    }


def _member_json(result: MemberResult) -> dict[str, Any]:
    report = result.report
    return {
        "member": result.member,
        "deployment": result.deployment,
        "status": result.status,
        "outputs": report.outputs,
        "errors": [
            {"address": f.address, "action": f.action.value, "code": f.code, "status": f.status, "message": f.message}
            for f in report.failed
        ],
        "done": [address for address, action in report.done if action.writes],
        "not_started": report.not_started,
        "leftovers": report.leftovers,
        "timings": {"seconds": result.seconds, "steps": result.step_seconds},
    }
