"""What a Run Command script does for each probe: the script function it calls (named as the probe
action) and its arguments, full URLs and request bodies built here from what verify found as the
operator. The scripts hold no Azure addresses, so the same script runs against the local cloud in tests.

Every argument is printable ASCII (URLs are percent-encoded, bodies are JSON with `\\uXXXX` escapes) and
every endpoint an https URL of letters, digits and `.-_~/:`; a probe with anything else is not put in
a script (its check is an error). The scripts then quote each argument for their shell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from provisioner.azure.ids import parse_arm_id
from provisioner.azure.profiles import CloudProfile
from provisioner.azure.sql_statements import MAY_READ
from provisioner.verify.abilities import Action
from provisioner.verify.model import Outcome, error
from provisioner.verify.probe import STEPS
from provisioner.verify.probe_steps import MARKER, SAS_LIFETIME
from provisioner.verify.runner import Probe

IMDS_TOKEN_URL = "http://169.254.169.254/metadata/identity/oauth2/token"
IMDS_API_VERSION = "2018-02-01"
GROUP_API_VERSION = "2025-04-01"  # what azure-mgmt-resource 26.0.0 sends for resource_groups.update
STORAGE_API_VERSION = "2026-09-01"  # what azure-mgmt-storage 25.3.0 sends for listServiceSas
VAULT_API_VERSION = "7.4"
BLOB_API_VERSION = "2021-08-06"  # the blob data plane's x-ms-version (bearer tokens need 2017-11-09 or later)
MARKER_TEXT = MARKER.decode().removesuffix("\n")  # the scripts write it with its newline, as the probe does
PRINTABLE = re.compile(r"[\x20-\x7e]*")
ENDPOINT = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~-]+)*/?")
SQL_PORT = 1433
SQL_QUERY = MAY_READ  # the same question as the probe's: may the identity SELECT in the database?

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Where:
    """The cloud a script's URLs point into."""

    profile: CloudProfile
    subscription_id: str

    def arm_url(self, resource_id: str, api_version: str) -> str:
        return f"{self.profile.arm_endpoint}{quote(resource_id, safe='/')}?api-version={api_version}"


@dataclass(frozen=True)
class ScriptCall:
    """One line of a script: `function id token args...`, the token being the identity's for `audience`."""

    function: str
    probe_id: str
    audience: str  # arm, storage or vault
    args: tuple[str, ...]


@dataclass(frozen=True)
class Script:
    """What a Run Command script does: get the identity's tokens, then make each call."""

    token_urls: dict[str, str]  # audience -> the IMDS request for a token for it
    calls: tuple[ScriptCall, ...]
    cacert: str = ""  # a CA file for curl (the local cloud's in tests); empty on Azure


def token_url(audience: str, client_id: str | None, imds_url: str = IMDS_TOKEN_URL) -> str:
    query = {"api-version": IMDS_API_VERSION, "resource": audience.rstrip("/") + "/"}
    if client_id:
        query["client_id"] = client_id
    return f"{imds_url}?{urlencode(query)}"


def build_script(
    where: Where, client_id: str | None, probes: list[Probe], *, imds_url: str = IMDS_TOKEN_URL, cacert: str = ""
) -> tuple[Script, dict[str, Outcome]]:
    """The script of the probes, and an error outcome for each probe whose arguments are not safe to run."""
    calls: list[ScriptCall] = []
    rejected: dict[str, Outcome] = {}
    for probe in probes:
        try:
            calls.append(_script_call(where, probe))
        except ValueError as unsafe:
            rejected[probe.id] = error(f"not put in the Run Command script: {unsafe}")
    audiences = where.profile.audiences
    token_urls = {
        name: token_url(getattr(audiences, name), client_id, imds_url)
        for name in dict.fromkeys(call.audience for call in calls)
    }
    return Script(token_urls, tuple(calls), cacert), rejected


def _script_call(where: Where, probe: Probe) -> ScriptCall:
    audience = STEPS[probe.action][0]  # the probe's audience for the action: the same token inside the VM
    args = ARGUMENTS[probe.action](where, probe.params)
    return ScriptCall(str(probe.action), _printable(probe.id), audience, tuple(_printable(arg) for arg in args))


def _printable(text: str) -> str:
    if not PRINTABLE.fullmatch(text):
        raise ValueError(f"{text[:80]!r} has characters other than printable ASCII")
    return text


def _endpoint(url: object) -> str:
    """A data-plane endpoint (an account's blob endpoint, a vault's URI), with its trailing '/'."""
    if not ENDPOINT.fullmatch(str(url)):
        raise ValueError(f"{str(url)[:80]!r} is not an https endpoint")
    return str(url).rstrip("/") + "/"


def _json(body: object) -> str:
    return json.dumps(body, separators=(",", ":"))


def _arm_read(where: Where, params: Params) -> tuple[str, ...]:
    return (where.arm_url(str(params["resource_id"]), str(params["api_version"])),)


def _group_write(where: Where, params: Params) -> tuple[str, ...]:
    group = f"/subscriptions/{where.subscription_id}/resourcegroups/{params['group']}"
    return where.arm_url(group, GROUP_API_VERSION), _json({"tags": params["tags"]})


def _container_url(params: Params) -> str:
    return _endpoint(params["account_url"]) + quote(str(params["container"]), safe="")


def _blob_url(params: Params) -> str:
    return f"{_container_url(params)}/{quote(str(params['blob_name']), safe='/')}"


def _service_sas(where: Where, params: Params, permissions: str) -> tuple[str, str]:
    """listServiceSas of the account, and its request: a container SAS for an hour, as the probe asks."""
    group, account, container = params["group"], params["account"], params["container"]
    account_id = (
        f"/subscriptions/{where.subscription_id}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{account}"
    )
    expiry = (datetime.now(UTC) + SAS_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    request = {"canonicalizedResource": f"/blob/{account}/{container}", "signedResource": "c"}
    request |= {"signedPermission": permissions, "signedProtocol": "https", "signedExpiry": expiry}
    return where.arm_url(f"{account_id}/listServiceSas", STORAGE_API_VERSION), _json(request)


def _secret_url(params: Params) -> str:
    name = quote(str(params["name"]), safe="")
    return f"{_endpoint(params['vault_url'])}secrets/{name}?api-version={VAULT_API_VERSION}"


def _sql(where: Where, params: Params) -> tuple[str, ...]:
    """The server's host name under the cloud's SQL suffix, and the database (both from the database's id)."""
    parts = parse_arm_id(str(params["database_id"]))
    server, database = parts.name, str(params["database_id"]).rstrip("/").rpartition("/databases/")[2]
    if not re.fullmatch(r"[a-z0-9-]{1,63}", server) or not re.fullmatch(r"[A-Za-z0-9 ._-]{1,128}", database):
        raise ValueError(f"{server!r} / {database!r} is not a server and database name to put in a script")
    return f"{server}.{where.profile.sql_suffix}", database


ARGUMENTS: dict[Action, Callable[[Where, Params], tuple[str, ...]]] = {
    Action.ARM_READ: _arm_read,
    Action.GROUP_WRITE: _group_write,
    Action.BLOB_READ: lambda where, params: (_container_url(params),),
    Action.BLOB_WRITE: lambda where, params: (_blob_url(params),),
    Action.SAS_READ: lambda where, params: (*_service_sas(where, params, "rl"), _container_url(params)),
    Action.SAS_WRITE: lambda where, params: (*_service_sas(where, params, "rcw"), _blob_url(params)),
    Action.SECRET_READ: lambda where, params: (_secret_url(params),),
    Action.SQL_READ: _sql,
}
"""The arguments of each script function after the probe id and the token (SQL only in the Windows script)."""
