"""Probes on Azure: ARM reads made inside the VM through Run Command, as the VM's managed identity.

An Azure VM may have no Python, so the probe there is a small script: POSIX sh and curl on Linux
(RunShellScript), PowerShell on Windows (RunPowerShellScript). It gets an ARM token from the VM's IMDS
(with the client id of a user-assigned identity when the check acts as one) and GETs each target,
printing one line per check: `provision-verify <id> <HTTP status> <Azure's error code or ->`, or
`provision-verify token <why>` when there is no token. Only ARM reads run this way; every other
access, and every web app identity (App Service has no Run Command), is skipped with the reason.
"""

from __future__ import annotations

import re
import shlex
from typing import Any
from urllib.parse import quote, urlencode

from azure.mgmt.core.tools import parse_resource_id

from provisioner.cloud.clients import Clients
from provisioner.cloud.errors import SDK_ERRORS, translate
from provisioner.verify.abilities import Action
from provisioner.verify.actors import Actor
from provisioner.verify.model import Actual, Outcome, error
from provisioner.verify.runner import Probe, all_failed

IMDS_TOKEN_URL = "http://169.254.169.254/metadata/identity/oauth2/token"
IMDS_API_VERSION = "2018-02-01"
LINE = re.compile(r"^provision-verify (\S+) (.*)$", re.MULTILINE)
ALLOWED, REFUSED = 200, 403
WEB_APP_REASON = (
    "App Service has no Run Command: on --target azure verify acts only inside VMs, so a web app's identity "
    "is not verified"
)
SQL_REASON = "Azure SQL needs a TDS connection, which verify does not make on --target azure"
OTHER_REASON = "on --target azure verify runs only ARM reads inside the VM (Run Command); this access is not made"

LINUX_SCRIPT = """\
token_reply=$(curl -sS --max-time 30 -H 'Metadata: true' {token_url} 2>&1)
token=$(printf '%s' "$token_reply" | sed -n 's/.*"access_token" *: *"\\([^"]*\\)".*/\\1/p')
if [ -z "$token" ]; then
  echo "provision-verify token $(printf '%s' "$token_reply" | tr -d '\\r\\n' | cut -c1-300)"
  exit 0
fi
probe() {{
  reply=$(curl -sS --max-time 60 -w '\\n%{{http_code}}' -H "Authorization: Bearer $token" "$2" 2>/dev/null)
  status=$(printf '%s' "$reply" | tail -n 1)
  code=$(printf '%s' "$reply" | grep -o '"code" *: *"[^"]*"' | head -n 1 | sed 's/.*"\\([^"]*\\)"$/\\1/')
  echo "provision-verify $1 $status ${{code:--}}"
}}
"""

WINDOWS_SCRIPT = """\
$ProgressPreference = 'SilentlyContinue'
try {{
  $token = (Invoke-RestMethod -Headers @{{Metadata = 'true'}} -Uri {token_url}).access_token
}} catch {{
  Write-Output "provision-verify token $($_.Exception.Message)"
  exit 0
}}
function Probe([string]$Id, [string]$Uri) {{
  try {{
    Invoke-RestMethod -Headers @{{Authorization = "Bearer $token"}} -Uri $Uri | Out-Null
    Write-Output "provision-verify $Id 200 -"
  }} catch {{
    $status = 0
    if ($_.Exception.Response) {{ $status = [int]$_.Exception.Response.StatusCode }}
    $code = $null
    try {{ $code = ($_.ErrorDetails.Message | ConvertFrom-Json).error.code }} catch {{}}
    if (-not $code) {{ $code = '-' }}
    Write-Output "provision-verify $Id $status $code"
  }}
}}
"""


def token_url(audience: str, client_id: str | None, imds_url: str = IMDS_TOKEN_URL) -> str:
    query = {"api-version": IMDS_API_VERSION, "resource": audience.rstrip("/") + "/"}
    if client_id:
        query["client_id"] = client_id
    return f"{imds_url}?{urlencode(query)}"


def read_url(arm_endpoint: str, probe: Probe) -> str:
    path = quote(str(probe.params["resource_id"]), safe="/")
    return f"{arm_endpoint}{path}?api-version={probe.params['api_version']}"


def linux_script(token_request: str, arm_endpoint: str, probes: list[Probe]) -> str:
    """The POSIX shell script of the ARM reads (run with RunShellScript)."""
    calls = [f"probe {shlex.quote(probe.id)} {shlex.quote(read_url(arm_endpoint, probe))}" for probe in probes]
    return LINUX_SCRIPT.format(token_url=shlex.quote(token_request)) + "\n".join(calls) + "\n"


def windows_script(token_request: str, arm_endpoint: str, probes: list[Probe]) -> str:
    """The PowerShell script of the ARM reads (run with RunPowerShellScript)."""
    calls = [f"Probe {_ps_quote(probe.id)} {_ps_quote(read_url(arm_endpoint, probe))}" for probe in probes]
    return WINDOWS_SCRIPT.format(token_url=_ps_quote(token_request)) + "\n".join(calls) + "\n"


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_output(text: str, probes: list[Probe]) -> dict[str, Outcome]:
    """Each probe's outcome from the lines the script printed."""
    lines = dict(LINE.findall(text))
    if "token" in lines:
        return all_failed(probes, f"no token as the identity (IMDS): {lines['token']}")
    return {probe.id: _outcome(lines.get(probe.id)) for probe in probes}


def _outcome(line: str | None) -> Outcome:
    if line is None:
        return error("the script printed no result for this check")
    status_text, _, code_text = line.partition(" ")
    status = int(status_text) if status_text.isdigit() else 0
    code = None if code_text in {"", "-"} else code_text
    if status == ALLOWED:
        return Outcome(Actual.ALLOWED, None, "read it through ARM, inside the VM (Run Command)")
    if status == REFUSED:
        return Outcome(Actual.REFUSED, code, "refused by ARM, inside the VM (Run Command)")
    return error(f"ARM answered HTTP {status or 'nothing'} inside the VM (Run Command)", code)


class RunCommandRunner:
    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    def unsupported(self, actor: Actor, action: Action) -> str | None:
        if actor.host_kind != "virtual_machine":
            return WEB_APP_REASON
        if action is Action.SQL_READ:
            return SQL_REASON
        return None if action is Action.ARM_READ else OTHER_REASON

    def run(self, actor: Actor, probes: list[Probe]) -> dict[str, Outcome]:
        try:
            return read_output(self._run_command(actor, probes), probes)
        except SDK_ERRORS as failure:
            problem = translate(failure)
            detail = f"Run Command on VM '{actor.host}' failed: {problem}"
            return all_failed(probes, detail, getattr(problem, "code", None))

    def close(self) -> None:
        """Nothing to close: the clients belong to the caller."""

    def _run_command(self, actor: Actor, probes: list[Probe]) -> str:
        machines = self.clients.compute.virtual_machines
        parts = parse_resource_id(actor.host_id)
        group, name = parts["resource_group"], parts["name"]
        os_type = machines.get(group, name).storage_profile.os_disk.os_type
        os_type = str(getattr(os_type, "value", os_type) or "Linux")  # an SDK enum or a string
        profile = self.clients.target.profile
        url = token_url(profile.audiences.arm, actor.client_id)
        if os_type.lower() == "windows":
            command, script = "RunPowerShellScript", windows_script(url, profile.arm_endpoint, probes)
        else:
            command, script = "RunShellScript", linux_script(url, profile.arm_endpoint, probes)
        body: dict[str, Any] = {"commandId": command, "script": script.splitlines()}
        result = machines.begin_run_command(group, name, body).result()
        return "\n".join(str(status.message or "") for status in result.value or [])
