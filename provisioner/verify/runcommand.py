"""Probes on Azure: the accesses made inside the VM through Run Command, as the VM's managed identity.

An Azure VM may have no Python, so the probe there is a small script: POSIX sh and curl on Linux
(RunShellScript, provisioner.verify.runcommand_linux), PowerShell on Windows (RunPowerShellScript,
provisioner.verify.runcommand_windows). It gets the identity's tokens from the VM's IMDS (with the
client id of a user-assigned identity when the check acts as one) and makes the same requests as the
probe's steps: ARM reads, the resource group's tags write, blob list/read/write, listServiceSas and
blob access with the SAS, a Key Vault secret read. The URLs come from verify's lookups as the operator
(provisioner.verify.runcommand_calls); the script prints a line per check (runcommand_output). SQL
needs a TDS connection and a web app's identity is reachable only inside the app (App Service has no
Run Command): those checks are skipped with the reason.
"""

from __future__ import annotations

from typing import Any

from provisioner.azure.clients import Clients
from provisioner.azure.errors import SDK_ERRORS, translate
from provisioner.azure.ids import parse_arm_id
from provisioner.kinds.base import HostType
from provisioner.verify.abilities import MYSQL_ACTIONS, Action
from provisioner.verify.actors import Actor
from provisioner.verify.model import Outcome
from provisioner.verify.runcommand_calls import Script, Where, build_script
from provisioner.verify.runcommand_linux import linux_script
from provisioner.verify.runcommand_output import read_output
from provisioner.verify.runcommand_windows import windows_script
from provisioner.verify.runner import Probe, all_failed

WEB_APP_REASON = (
    "App Service has no Run Command: on --target azure verify acts only inside VMs, so a web app's identity "
    "is not verified"
)
MYSQL_REASON = (
    "on --target azure the MySQL sign-in must be made inside the VM (Run Command with a MySQL client), "
    "which verify does not do yet"
)
SQL_REASON = (
    "on --target azure the SQL login must be made inside the VM (Run Command with the tutorial's PowerShell), "
    "which verify does not do yet"
)


class RunCommandRunner:
    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    def unsupported(self, actor: Actor, action: Action) -> str | None:
        if actor.host_type is not HostType.VIRTUAL_MACHINE:
            return WEB_APP_REASON
        if action in MYSQL_ACTIONS:
            return MYSQL_REASON
        return SQL_REASON if action is Action.SQL_READ else None

    def run(self, actor: Actor, probes: list[Probe]) -> dict[str, Outcome]:
        target = self.clients.target
        script, outcomes = build_script(Where(target.profile, target.subscription_id), actor.client_id, probes)
        ready = [probe for probe in probes if probe.id not in outcomes]
        if not ready:
            return outcomes
        try:
            return outcomes | read_output(self._run_command(actor, script), ready)
        except SDK_ERRORS as failure:
            problem = translate(failure)
            detail = f"Run Command on VM '{actor.host}' failed: {problem}"
            return outcomes | all_failed(ready, detail, getattr(problem, "code", None))

    def close(self) -> None:
        """Nothing to close: the clients belong to the caller."""

    def _run_command(self, actor: Actor, script: Script) -> str:
        machines = self.clients.compute.virtual_machines
        parts = parse_arm_id(actor.host_id)
        group, name = parts.group, parts.name
        os_type = machines.get(group, name).storage_profile.os_disk.os_type
        os_type = str(getattr(os_type, "value", os_type) or "Linux")  # an SDK enum or a string
        if os_type.lower() == "windows":
            command, text = "RunPowerShellScript", windows_script(script)
        else:
            command, text = "RunShellScript", linux_script(script)
        body: dict[str, Any] = {"commandId": command, "script": text.splitlines()}
        result = machines.begin_run_command(group, name, body).result()
        return "\n".join(str(status.message or "") for status in result.value or [])
