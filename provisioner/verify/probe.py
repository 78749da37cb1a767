"""`python -m provisioner.verify.probe`: a program running inside a VM or web app, as its managed identity.

verify starts it with the environment the VM or app gives its programs (AZURE_POD_IDENTITY_AUTHORITY_HOST
pointing at the VM's IMDS, or App Service's IDENTITY_ENDPOINT and IDENTITY_HEADER) and nothing of the
operator's credential. It reads one request on stdin, makes every access of the request with
azure-identity's ManagedIdentityCredential and the Azure SDKs, and prints one answer on stdout:

    request {"protocol": 1,
             "client_id": null | "<client id of the user-assigned identity to act as>",
             "cloud": {"arm_endpoint", "subscription_id", "arm_scope", "storage_scope", "vault_scope",
                       "sql_scope", "ossrdbms_scope", "local"},
             "checks": [{"id": "3", "action": "blob_read", "params": {...}}, ...]}
    answer  {"protocol": 1,
             "results": [{"id": "3", "actual": "allowed" | "refused" | "error",
                          "code": "<Azure's error code or SQL's error number>" | null, "detail": "..."}, ...]}

`refused` means refused for lack of rights: HTTP 403 from ARM or a data plane, SQL's 18456 (login
failed) or 229 (no SELECT permission), PostgreSQL's 28P01 / 28000 (sign-in refused) or 42501 (no
privilege). Everything else that goes wrong (no token, 404, a network failure) is `error`. All checks
of one identity run in one probe, sharing its credential (tokens are cached per audience). Exit status
0 with an answer; 2 for a request it cannot read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

from provisioner.azure.errors import translate
from provisioner.verify import probe_steps as steps
from provisioner.verify.abilities import Action

PROTOCOL = 1
Step = Callable[[steps.Identity, steps.Params], str]

STEPS: dict[Action, tuple[str, Step]] = {
    Action.ARM_READ: ("arm", steps.arm_read),
    Action.GROUP_WRITE: ("arm", steps.group_write),
    Action.BLOB_READ: ("storage", steps.blob_read),
    Action.BLOB_WRITE: ("storage", steps.blob_write),
    Action.SAS_READ: ("arm", steps.sas_read),
    Action.SAS_WRITE: ("arm", steps.sas_write),
    Action.SECRET_READ: ("vault", steps.secret_read),
    Action.SQL_READ: ("sql", steps.sql_read),
    Action.PG_READ: ("ossrdbms", steps.pg_read),
    Action.PG_WRITE: ("ossrdbms", steps.pg_write),
}
"""Each action, with the audience (a `<name>_scope` of the request's cloud) its token is for."""


def answer(request: Mapping[str, Any]) -> dict[str, Any]:
    """Run every check of the request as the identity; one result per check, in order."""
    from azure.identity import ManagedIdentityCredential

    client_id = request.get("client_id")
    credential = ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    identity = steps.Identity(credential, request["cloud"])
    try:
        results = [_result(identity, check) for check in request["checks"]]
    finally:
        identity.close()
        credential.close()
    return {"protocol": PROTOCOL, "results": results}


def _result(identity: steps.Identity, check: Mapping[str, Any]) -> dict[str, Any]:
    audience, step = STEPS[Action(check["action"])]
    try:
        identity.credential.get_token(identity.scope(audience))
    except Exception as failure:  # whatever stops the token, the check could not be tried
        return _outcome(check, "error", None, f"no token as the identity: {translate(failure)}")
    try:
        detail = step(identity, check["params"])
    except steps.SqlRefusal as refusal:
        actual = "refused" if refusal.for_lack_of_rights else "error"
        return _outcome(check, actual, str(refusal.number), str(refusal))
    except Exception as failure:  # a refusal or failure of the access itself, judged below
        problem = translate(failure)
        status, code = getattr(problem, "status", None), getattr(problem, "code", None)
        return _outcome(check, "refused" if status == 403 else "error", code, str(problem))
    return _outcome(check, "allowed", None, detail)


def _outcome(check: Mapping[str, Any], actual: str, code: str | None, detail: str) -> dict[str, Any]:
    return {"id": check["id"], "actual": actual, "code": code, "detail": detail}


def read_request(text: str) -> dict[str, Any]:
    """The request, or ValueError saying what is wrong with it (before anything is done)."""
    request = json.loads(text)
    if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
        raise ValueError(f"not a probe request of protocol {PROTOCOL}")
    if not isinstance(request.get("cloud"), dict):
        raise ValueError("'cloud' must be a mapping of endpoints and scopes")
    checks = request.get("checks")
    if not isinstance(checks, list) or not all(_well_formed(check) for check in checks):
        raise ValueError("'checks' must be a list of {id, action, params} with known actions")
    return request


def _well_formed(check: Any) -> bool:
    return (
        isinstance(check, dict)
        and "id" in check
        and check.get("action") in set(Action)
        and isinstance(check.get("params"), dict)
    )


def main() -> int:
    try:
        request = read_request(sys.stdin.read())
    except ValueError as bad:
        print(f"probe: cannot read the request: {bad}", file=sys.stderr)
        return 2
    print(json.dumps(answer(request)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
