"""Who a PostgreSQL sign-in is: an Entra token (signature, issuer, ossrdbms audience, lifetime) whose
`oid`, or one of its groups, is the object id pgaadauth labelled the role with; or, with password
sign-in on, the role's password checked against the SCRAM-SHA-256 verifier PostgreSQL keeps.
Refusals are PostgreSQL's: 28P01 with its wording, whatever was wrong (it never says which)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path

from provisioner.emulator.core import config
from provisioner.emulator.core.bearer import principal_from_token
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.postgres.clusters import clusters_for
from provisioner.emulator.postgres.models import HOST_SUFFIX, SERVER_TYPE

MAX_ROLE_NAME = 63  # NAMEDATALEN - 1
_VERIFIER = re.compile(r"SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)")
ENTRA_LABEL = "SELECT objectid FROM pgaadauth_list_principals(false) WHERE rolname = %s"
VERIFIER = "SELECT rolpassword FROM pg_authid WHERE rolname = %s AND rolcanlogin"


class Refused(Exception):
    """A sign-in PostgreSQL refuses: its SQLSTATE and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def password_failed(user: str) -> Refused:
    return Refused("28P01", f'password authentication failed for user "{user}"')


def server_named(cloud: LocalCloud, host: str | None) -> StoredResource:
    """The flexible server a TLS SNI host name names, as Azure's gateway routes by it."""
    if not host or not host.lower().endswith(HOST_SUFFIX):
        raise Refused("08004", "the server name is missing: connect with the server's host name (SNI)")
    name = host.lower().removesuffix(HOST_SUFFIX)
    for server in cloud.store.list_resources(resource_type=SERVER_TYPE):
        if server.body["name"] == name:
            return server
    raise Refused("08004", f'server "{name}" does not exist')


def authenticate(cloud: LocalCloud, server: StoredResource, user: str, password: str) -> str:
    """The role the session runs as (`user` itself), or Refused. Blocking: it asks the cluster."""
    if len(user.encode()) > MAX_ROLE_NAME:
        raise password_failed(user[:MAX_ROLE_NAME])
    auth = server.body["properties"]["authConfig"]
    if auth["activeDirectoryAuth"] == "Enabled" and password.count(".") == 2:
        return _entra(cloud, server, user, password)
    if auth["passwordAuth"] == "Enabled":
        return _password(cloud.data_dir, server.id, user, password)
    raise password_failed(user)


def _entra(cloud: LocalCloud, server: StoredResource, user: str, token: str) -> str:
    try:
        principal = principal_from_token(cloud.tokens, token, config.OSSRDBMS_AUDIENCES)
    except CloudServiceError:
        raise password_failed(user) from None
    allowed = {principal.object_id} | {group.lower() for group in cloud.store.groups_of(principal.object_id)}
    with clusters_for(cloud.data_dir).superuser(server.id) as connection:
        row = connection.execute(ENTRA_LABEL, (user,)).fetchone()
    if row is None or str(row[0]).lower() not in allowed:
        raise password_failed(user)
    return user


def _password(data_dir: Path, server_id: str, user: str, password: str) -> str:
    with clusters_for(data_dir).superuser(server_id) as connection:
        row = connection.execute(VERIFIER, (user,)).fetchone()
    if row is None or not row[0] or not scram_matches(str(row[0]), password):
        raise password_failed(user)
    return user


def scram_matches(verifier: str, password: str) -> bool:
    """Whether `password` gives the verifier's StoredKey (RFC 5802; SASLprep left out: ASCII passwords)."""
    match = _VERIFIER.fullmatch(verifier)
    if match is None:
        return False
    iterations, salt, stored_key = int(match[1]), base64.b64decode(match[2]), base64.b64decode(match[3])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)
