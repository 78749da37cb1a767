"""Probes on the local cloud: `python -m provisioner.verify.probe` as a program inside the VM or web app.

The local cloud says, through its control API (which answers the operator's ARM token only), what a
VM or web app gives the programs running in it: `GET /_cloud/vm-identity-endpoint?id=VM_ID` ->
{"authority_host"} (the VM's IMDS, for AZURE_POD_IDENTITY_AUTHORITY_HOST) and
`GET /_cloud/web-app-identity-endpoint?id=SITE_ID` -> {"identity_endpoint", "identity_header"} (App
Service's IDENTITY_ENDPOINT and IDENTITY_HEADER). The probe runs in a child process with exactly that
environment, the local cloud's CA, and none of the operator's credential variables, because
ManagedIdentityCredential reads its environment when used.
SQL checks log in over TDS to the listener `GET /_cloud/sql-tds` names ({"host", "port"}), PostgreSQL
checks to the one `GET /_cloud/postgres` names, with the server's host name for TLS SNI.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from typing import Any

import httpx
from azure.core.exceptions import ClientAuthenticationError

from provisioner.azure.target import Target
from provisioner.errors import VerifyError
from provisioner.kinds.base import HostType
from provisioner.verify.abilities import Action
from provisioner.verify.actors import Actor
from provisioner.verify.model import Outcome, error
from provisioner.verify.runner import Probe, all_failed, probe_request

LISTENERS = {Action.SQL_READ: "sql-tds", Action.PG_READ: "postgres", Action.PG_WRITE: "postgres"}
"""The control API's name of the listener each database action signs in through."""
PROBE_TIMEOUT_SECONDS = 300.0
CONTROL_TIMEOUT_SECONDS = 30.0
PROBE_COMMAND = (sys.executable, "-m", "provisioner.verify.probe")
CREDENTIAL_VARIABLES = (
    "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "AZURE_PASSWORD",
    "AZURE_AUTHORITY_HOST", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET",
)  # fmt: skip
"""Removed from the inherited environment: the probe has only the identity the host gives it."""


class ControlError(VerifyError):
    """The local cloud's control API refused or failed a lookup."""

    def __init__(self, message: str, code: str | None) -> None:
        super().__init__(message)
        self.code = code


class LocalRunner:
    def __init__(self, target: Target, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
        self.target = target
        self.timeout = timeout
        ca = target.ca_bundle
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca)) if ca else True
        self._http = httpx.Client(verify=verify, timeout=CONTROL_TIMEOUT_SECONDS)

    def unsupported(self, actor: Actor, action: Action) -> str | None:
        return None

    def run(self, actor: Actor, probes: list[Probe]) -> dict[str, Outcome]:
        try:
            environment = self._identity_environment(actor)
        except ControlError as failure:
            return all_failed(probes, f"cannot act inside {actor.host_kind} '{actor.host}': {failure}", failure.code)
        ready, outcomes = self._locate_databases(actor, probes)
        if ready:
            outcomes |= self._probe(actor, ready, environment)
        return outcomes

    def close(self) -> None:
        self._http.close()

    def _identity_environment(self, actor: Actor) -> dict[str, str]:
        if actor.host_type is HostType.VIRTUAL_MACHINE:
            answer = self._control("vm-identity-endpoint", actor.host_id)
            return {"AZURE_POD_IDENTITY_AUTHORITY_HOST": str(answer["authority_host"])}
        answer = self._control("web-app-identity-endpoint", actor.host_id)
        return {
            "IDENTITY_ENDPOINT": str(answer["identity_endpoint"]),
            "IDENTITY_HEADER": str(answer["identity_header"]),
        }

    def _locate_databases(self, actor: Actor, probes: list[Probe]) -> tuple[list[Probe], dict[str, Outcome]]:
        """The probes with each database's listener address filled in; an error outcome where there is none."""
        ready: list[Probe] = []
        outcomes: dict[str, Outcome] = {}
        listeners: dict[str, dict[str, Any]] = {}
        for probe in probes:
            listener_name = LISTENERS.get(probe.action)
            if listener_name is None:
                ready.append(probe)
                continue
            try:
                if listener_name not in listeners:
                    listeners[listener_name] = self._control(listener_name, "")
                params = self._database_params(actor, probe, listeners[listener_name])
            except ControlError as failure:
                outcomes[probe.id] = error(f"no {listener_name} listener: {failure}", failure.code)
                continue
            ready.append(Probe(probe.id, probe.action, params))
        return ready, outcomes

    def _database_params(self, actor: Actor, probe: Probe, listener: dict[str, Any]) -> dict[str, Any]:
        server_id, _, database = str(probe.params["database_id"]).partition("/databases/")
        server, database = server_id.rstrip("/").rpartition("/")[2], database.strip("/")
        ca = str(self.target.ca_bundle)
        if probe.action is Action.SQL_READ:
            return {
                "host": str(listener["host"]),
                "port": int(listener["port"]),
                "cafile": ca,
                "server": server,
                "database": database,
            }
        return {
            "host": f"{server}.{self.target.profile.postgres_suffix}",
            "hostaddr": str(listener["host"]),
            "port": int(listener["port"]),
            "sslrootcert": ca,
            "database": database,
            "user": actor.sign_in_name,
        }

    def _control(self, name: str, resource_id: str) -> dict[str, Any]:
        try:
            # The control API answers only the operator: the token the tool itself signs in with.
            token = self.target.credential.get_token(self.target.profile.arm_scope).token
            response = self._http.get(
                f"{self.target.profile.arm_endpoint}/_cloud/{name}",
                params={"id": resource_id},
                headers={"Authorization": f"Bearer {token}"},
            )
            body: Any = response.json()
        except (httpx.HTTPError, ValueError, ClientAuthenticationError) as failure:
            raise ControlError(f"the local cloud's control API failed: {failure}", None) from None
        if response.is_error or not isinstance(body, dict):
            problem = body.get("error") if isinstance(body, dict) else None
            problem = problem if isinstance(problem, dict) else {}
            raise ControlError(str(problem.get("message") or response.text[:200]), problem.get("code"))
        return body

    def _probe(self, actor: Actor, probes: list[Probe], environment: dict[str, str]) -> dict[str, Outcome]:
        request = json.dumps(probe_request(self.target, actor, probes))
        try:
            done = subprocess.run(
                PROBE_COMMAND,
                input=request,
                env=self._environment(environment),
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return all_failed(probes, f"the probe did not finish within {self.timeout:g} s")
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["no output"]
            return all_failed(probes, f"the probe failed (exit status {done.returncode}): {lines[-1]}")
        return read_answer(done.stdout, probes)

    def _environment(self, identity: dict[str, str]) -> dict[str, str]:
        environment = {name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARIABLES}
        ca = self.target.ca_bundle
        if ca is not None:
            environment |= {"REQUESTS_CA_BUNDLE": str(ca), "SSL_CERT_FILE": str(ca)}
        return environment | identity


def read_answer(text: str, probes: list[Probe]) -> dict[str, Outcome]:
    """The outcome of each probe from the probe's answer; an error outcome for each it does not answer."""
    try:
        answer: Any = json.loads(text)
        results = {str(item["id"]): item for item in answer["results"]}
    except (ValueError, KeyError, TypeError):
        return all_failed(probes, f"the probe's answer is not readable: {text.strip()[:200]!r}")
    missing = error("the probe gave no result for this check")
    return {probe.id: Outcome.from_json(results[probe.id]) if probe.id in results else missing for probe in probes}
