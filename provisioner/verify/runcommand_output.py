"""What a Run Command script printed, as outcomes: the same classification as the probe's.

A script prints, for each check, `provision-verify ID STATUS CODE STEP [NOTE]`: the HTTP status and
Azure's error code (`-` for none) of its last request (for SQL: 200, or 403 with SQL's login or
permission error number, or 0 with any other), the step that request made, and a note
(`SIZE NAME` of a downloaded blob); and `provision-verify token:AUDIENCE WHY` for a token it could
not get, when the checks needing it print nothing. A 2xx is `allowed`, a 403 `refused` (for lack of
rights), anything else (no answer: status 0) an `error`; two steps are errors whatever the status.
"""

from __future__ import annotations

import re

from provisioner.verify.abilities import Action
from provisioner.verify.model import Actual, Outcome, error
from provisioner.verify.probe import STEPS
from provisioner.verify.runner import Probe

LINE = re.compile(r"^provision-verify (\S+) (.*)$", re.MULTILINE)
REFUSED = 403
INSIDE = ", inside the VM (Run Command)"

STEP_NAMES = {
    "read": "the ARM GET of the target",
    "tags": "the PATCH of the resource group's tags",
    "sas": "listServiceSas (ARM)",
    "list": "listing the container",
    "download": "downloading the first blob listed",
    "write": "writing the blob",
    "readback": "reading the blob back with the SAS",
    "secret": "getting the secret",
    "sql": "the SQL login and SELECT permission check (SqlConnection with the IMDS token)",
}
"""What the last request of each step was, for the detail of a refusal or an error."""

BROKEN_STEPS = {
    "no-sas": "listServiceSas answered without a serviceSasToken",
    "differs": "the blob read back with the SAS differs from what was written",
}
"""Steps whose request succeeded but whose answer makes the check an error."""


def read_output(text: str, probes: list[Probe]) -> dict[str, Outcome]:
    """Each probe's outcome from the lines the script printed."""
    lines = {key: value.strip() for key, value in LINE.findall(text)}
    outcomes: dict[str, Outcome] = {}
    for probe in probes:
        audience = STEPS[probe.action][0]
        no_token = lines.get(f"token:{audience}")
        if probe.id not in lines and no_token is not None:
            outcomes[probe.id] = error(f"no token as the identity for {audience} (IMDS): {no_token}")
        else:
            outcomes[probe.id] = _outcome(probe, lines.get(probe.id))
    return outcomes


def _outcome(probe: Probe, line: str | None) -> Outcome:
    """The outcome of one check's line (`STATUS CODE STEP [NOTE]`)."""
    if line is None:
        return error("the script printed no result for this check")
    status_text, code_text, step, note = [*line.split(" ", 3), "", "", ""][:4]
    status = int(status_text) if status_text.isdigit() else 0
    code = None if code_text in {"", "-"} else code_text
    if step in BROKEN_STEPS:
        return error(BROKEN_STEPS[step] + INSIDE)
    if 200 <= status < 300:
        return Outcome(Actual.ALLOWED, None, _allowed_detail(probe, step, note) + INSIDE)
    what = STEP_NAMES.get(step, "the access")
    if status == REFUSED:
        how = f"SQL error {code}" if step == "sql" else "HTTP 403"
        return Outcome(Actual.REFUSED, code, f"{what} was refused ({how}){INSIDE}")
    if step == "sql":
        return error(f"{what} failed (SQL error {code or 'none: no connection'}){INSIDE}", code)
    return error(f"{what} answered HTTP {status or 'nothing'}{INSIDE}", code)


def _allowed_detail(probe: Probe, step: str, note: str) -> str:
    """What the identity did, in the words of the probe's steps (provisioner.verify.probe_steps)."""
    params = probe.params
    if probe.action is Action.ARM_READ:
        return "read it through ARM"
    if probe.action is Action.GROUP_WRITE:
        return "wrote the resource group's tags (unchanged) through ARM"
    if probe.action is Action.BLOB_WRITE:
        return f"wrote blob '{params['blob_name']}'"
    if probe.action is Action.SAS_WRITE:
        return f"got a service SAS through ARM, wrote blob '{params['blob_name']}' with it and read it back"
    if probe.action is Action.SQL_READ:
        return "connected over TDS with a token for Azure SQL and may read"
    if probe.action is Action.SECRET_READ:
        return f"read the value of secret '{params['name']}' (not shown)"
    listed = "listed the container (empty: no blob to download)"
    if step == "download":
        size, _, name = note.partition(" ")
        listed = f"listed the container and downloaded blob '{name}' ({size} bytes)"
    return ("got a service SAS through ARM, then " if probe.action is Action.SAS_READ else "") + listed
