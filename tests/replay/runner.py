"""Replays one recording, in order, on a fresh local cloud, through httpx with a real operator token.

Ids, hosts, the tenant and principals are rewritten to the local cloud's; resource groups the
recording presupposes are created first; an async-operation URL Azure handed out is mapped to the
one the local cloud handed out, so the recorded polls reach it.
"""

from __future__ import annotations

import re
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from provisioner.emulator.server import LocalCloudServer
from tests.replay.compare import header_differences, shape_differences
from tests.replay.recordings import Interaction, Recording

_HOSTS = re.compile(r"https://(management\.azure\.com|graph\.microsoft\.com|login\.microsoftonline\.com)")
_SUBSCRIPTION = re.compile(r"(/subscriptions/)[0-9a-fA-F-]{36}")
_TENANT_PATH = re.compile(r"^(/)[0-9a-fA-F-]{36}(/)")
_PRINCIPAL = re.compile(r'("(?:principalId|sid|objectId)"\s*:\s*")[0-9a-fA-F-]{36}(")')
_USER_PRINCIPAL = re.compile(r'"principalType"\s*:\s*"User"', re.IGNORECASE)
_TENANT_FIELD = re.compile(r'("tenantId"\s*:\s*")[0-9a-fA-F-]{36}(")')
_GROUP = re.compile(r"/subscriptions/[^/]+/resourcegroups/([^/?]+)", re.IGNORECASE)
_GROUP_API = "2021-04-01"
# Role definitions the traffic names that Azure's public built-in catalogue lacks: Avere Cluster Runtime
# Operator existed only in Microsoft's own tenant ("Microsoft internal users should use the existing
# role", Avere vFXT docs), and the 2022-04-01 role-assignment examples name a placeholder id. The replay
# assigns Reader in their place; the comparison is of shapes, so the answer's shape is unaffected.
_ROLES_OUTSIDE_THE_CATALOGUE = re.compile(
    r"(roleDefinitions/)(?:e078ab98-ef3a-4c9a-aba7-12f5172b45d0|0b5fe924-9a61-425c-96af-cfe6e287ca2d)", re.IGNORECASE
)
_READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
_SCOPES = {"graph": "https://graph.microsoft.com/.default", "arm": "https://management.azure.com/.default"}


@dataclass
class Outcome:
    key: str
    status: tuple[int, int]
    shape: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def status_ok(self) -> bool:
        return self.status[0] == self.status[1]

    @property
    def full(self) -> bool:
        return self.status_ok and not self.shape and not self.headers


class Replay:
    def __init__(self, server: LocalCloudServer) -> None:
        self.server = server
        identity = server.cloud.identity
        self.identity = identity
        self.http = httpx.Client(verify=ssl.create_default_context(cafile=str(server.ca_cert)), timeout=30)
        self.tokens = {surface: self._token(scope) for surface, scope in _SCOPES.items()}
        self.mapped: dict[str, str] = {}
        self.user_id = self._a_user()

    def _token_form(self, scope: str) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.identity.operator_client_id,
            "client_secret": self.identity.operator_secret,
            "scope": scope,
        }

    def _token(self, scope: str) -> str:
        url = f"{self.server.url}/{self.identity.tenant_id}/oauth2/v2.0/token"
        response = self.http.post(url, data=self._token_form(scope))
        response.raise_for_status()
        return str(response.json()["access_token"])

    def _a_user(self) -> str:
        """A user of the local cloud's directory, for traffic whose principal is a user (Graph's list)."""
        response = self.http.get(f"{self.server.url}/v1.0/users", headers=self._auth("graph"))
        response.raise_for_status()
        return str(response.json()["value"][0]["id"])

    def rewrite(self, text: str) -> str:
        text = _HOSTS.sub(self.server.url, text)
        text = _SUBSCRIPTION.sub(rf"\g<1>{self.identity.subscription_id}", text)
        text = _TENANT_FIELD.sub(rf"\g<1>{self.identity.tenant_id}\g<2>", text)
        text = _ROLES_OUTSIDE_THE_CATALOGUE.sub(rf"\g<1>{_READER}", text)
        principal = self.user_id if _USER_PRINCIPAL.search(text) else self.identity.operator_object_id
        return _PRINCIPAL.sub(rf"\g<1>{principal}\g<2>", text)

    def url_for(self, recorded: str) -> str:
        url = self.rewrite(recorded)
        url = self.mapped.get(url, url)
        parts = urlsplit(url)
        path = _TENANT_PATH.sub(rf"\g<1>{self.identity.tenant_id}\g<2>", parts.path)
        return url.replace(parts.path, path, 1)

    def seed_groups(self, recording: Recording) -> None:
        created = {_group(i.uri) for i in recording.interactions if i.method == "PUT" and _is_group(i.uri)}
        wanted = {_group(i.uri) for i in recording.interactions} - created - {None}
        for name in sorted(n for n in wanted if n):
            url = f"{self.server.url}/subscriptions/{self.identity.subscription_id}/resourcegroups/{name}"
            response = self.http.put(
                url, params={"api-version": _GROUP_API}, json={"location": "eastus"}, headers=self._auth("arm")
            )
            response.raise_for_status()

    def match_polls(self, recording: Recording, interaction: Interaction) -> None:
        """Before an interaction whose answer announces an operation: report that operation in
        progress for as many polls as Azure did (the polls the recording sent to its status URL)."""
        announced = interaction.headers.get("azure-asyncoperation")
        if announced is None:
            return
        polls = sum(1 for i in recording.interactions if i.method == "GET" and i.uri == announced)
        self.server.cloud.faults.update({"async_polls": max(polls, 1)})

    def _auth(self, surface: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[surface]}"}

    def send(self, interaction: Interaction) -> httpx.Response:
        url = self.url_for(interaction.uri)
        path = urlsplit(url).path
        if interaction.method == "POST" and path.endswith("/oauth2/v2.0/token"):
            return self.http.post(url, data=self._token_form(_SCOPES["arm"]))
        headers = {} if "login.microsoftonline.com" in interaction.uri else self._auth(_surface(interaction.uri))
        content = self.rewrite(interaction.request_body) if interaction.request_body else None
        if content is not None:
            headers["content-type"] = interaction.request_headers.get("content-type", "application/json")
        return self.http.request(interaction.method, url, content=content, headers=headers)

    def remember(self, interaction: Interaction, response: httpx.Response) -> None:
        for name in ("azure-asyncoperation", "location"):
            if name in interaction.headers and name in response.headers:
                self.mapped[self.rewrite(interaction.headers[name])] = response.headers[name]

    def close(self) -> None:
        self.http.close()


def _is_group(uri: str) -> bool:
    path = urlsplit(uri).path
    return bool(re.fullmatch(r"/subscriptions/[^/]+/resourcegroups/[^/]+", path, re.IGNORECASE))


def _group(uri: str) -> str | None:
    found = _GROUP.search(urlsplit(uri).path)
    return found.group(1) if found else None


def _surface(uri: str) -> str:
    return "graph" if "graph.microsoft.com" in uri else "arm"


def interaction_key(recording: Recording, index: int, interaction: Interaction) -> str:
    path = _SUBSCRIPTION.sub(r"\g<1>{sub}", urlsplit(interaction.uri).path)
    return f"{recording.name}#{index} {interaction.method} {path}"


def _outcome(key: str, interaction: Interaction, response: httpx.Response) -> Outcome:
    status, headers, body = interaction.answer_for(response.status_code)
    return Outcome(
        key=key,
        status=(status, response.status_code),
        shape=shape_differences(body, response.text),
        headers=header_differences(headers, dict(response.headers), bool(body)),
    )


def replay(recording: Recording) -> list[Outcome]:
    with tempfile.TemporaryDirectory() as data_dir, LocalCloudServer(Path(data_dir)) as server:
        session = Replay(server)
        try:
            session.seed_groups(recording)
            outcomes = []
            for index, interaction in enumerate(recording.interactions):
                session.match_polls(recording, interaction)
                response = session.send(interaction)
                session.remember(interaction, response)
                if interaction.scored:
                    outcomes.append(_outcome(interaction_key(recording, index, interaction), interaction, response))
            return outcomes
        finally:
            session.close()
