"""Probes on Azure: the accesses made inside the VM through Run Command, as the VM's managed identity.

An Azure VM may have no Python, so the probe there is a small script: POSIX sh and curl on Linux
(RunShellScript, provisioner.verify.runcommand_linux), PowerShell on Windows (RunPowerShellScript,
provisioner.verify.runcommand_windows). It gets the identity's tokens from the VM's IMDS (with the
client id of a user-assigned identity when the check acts as one) and makes the same requests as the
probe's steps: ARM reads, the resource group's tags write, blob list/read/write, listServiceSas and
blob access with the SAS, a Key Vault secret read, and on a Windows VM the SQL check as the tutorial
makes it (the IMDS token as `SqlConnection.AccessToken`, then a SELECT). The URLs come from verify's
lookups as the operator (provisioner.verify.runcommand_calls); the script prints a line per check
(runcommand_output). A Linux VM has no SqlConnection in its shell (the tutorial is Windows'), and a web
app's identity is reachable only inside the app (App Service has no Run Command): those checks are
skipped with the reason.
"""

from __future__ import annotations

from typing import Any

from provisioner.azure.clients import Clients
from provisioner.azure.errors import SDK_ERRORS, translate
from provisioner.azure.ids import parse_arm_id
from provisioner.kinds.base import HostType
from provisioner.verify.abilities import Action
from provisioner.verify.actors import Actor
from provisioner.verify.model import Outcome, skipped
from provisioner.verify.runcommand_calls import Where, build_script
from provisioner.verify.runcommand_linux import linux_script
from provisioner.verify.runcommand_output import read_output
from provisioner.verify.runcommand_windows import windows_script
from provisioner.verify.runner import Probe, all_failed

WEB_APP_REASON = (
    "App Service has no Run Command: on --target azure verify acts only inside VMs, so a web app's identity "
    "is not verified"
)
LINUX_SQL_REASON = (
    "on --target azure the SQL login is made inside the VM with the tutorial's PowerShell (SqlConnection with an "
    "access token), which a Linux VM does not have: SQL checks of Linux VMs are not verified"
)

PG_REASON = (
    "on --target azure the PostgreSQL sign-in must be made inside the VM (Run Command with psql), "
    "which verify does not do yet"
)


class RunCommandRunner:
    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    def unsupported(self, actor: Actor, action: Action) -> str | None:
        if actor.host_type is not HostType.VIRTUAL_MACHINE:
            return WEB_APP_REASON
        if action in (Action.PG_READ, Action.PG_WRITE):
            return PG_REASON
        return None

    def run(self, actor: Actor, probes: list[Probe]) -> dict[str, Outcome]:
        target = self.clients.target
        try:
            windows = self._os_type(actor) == "windows"
        except SDK_ERRORS as failure:
            return all_failed(probes, f"reading VM '{actor.host}' failed: {translate(failure)}")
        outcomes = {} if windows else {p.id: skipped(LINUX_SQL_REASON) for p in probes if p.action is Action.SQL_READ}
        script, rejected = build_script(
            Where(target.profile, target.subscription_id),
            actor.client_id,
            [probe for probe in probes if probe.id not in outcomes],
        )
        outcomes |= rejected
        ready = [probe for probe in probes if probe.id not in outcomes]
        if not ready:
            return outcomes
        command, text = (
            ("RunPowerShellScript", windows_script(script)) if windows else ("RunShellScript", linux_script(script))
        )
        try:
            return outcomes | read_output(self._run_command(actor, command, text), ready)
        except SDK_ERRORS as failure:
            problem = translate(failure)
            detail = f"Run Command on VM '{actor.host}' failed: {problem}"
            return outcomes | all_failed(ready, detail, getattr(problem, "code", None))

    def close(self) -> None:
        """Nothing to close: the clients belong to the caller."""

    def _os_type(self, actor: Actor) -> str:
        parts = parse_arm_id(actor.host_id)
        machine = self.clients.compute.virtual_machines.get(parts.group, parts.name)
        os_type = machine.storage_profile.os_disk.os_type
        return str(getattr(os_type, "value", os_type) or "Linux").lower()  # an SDK enum or a string

    def _run_command(self, actor: Actor, command: str, text: str) -> str:
        parts = parse_arm_id(actor.host_id)
        body: dict[str, Any] = {"commandId": command, "script": text.splitlines()}
        result = self.clients.compute.virtual_machines.begin_run_command(parts.group, parts.name, body).result()
        return "\n".join(str(status.message or "") for status in result.value or [])
