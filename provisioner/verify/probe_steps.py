"""The accesses a probe makes as the identity, with the real Azure SDK clients.

Each step takes the identity (its credential and clients) and the parameters verify resolved for the
check, and returns what it did; a refusal or failure is raised by the SDK as it would be in any
program running inside the VM or web app. SDK imports are local to the steps, so a probe imports
only what its checks need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.credentials import TokenCredential

from provisioner.errors import CloudError, VerifyError

SAS_LIFETIME = timedelta(hours=1)
MARKER = b"written by provision verify\n"
NO_READ = "connected, but the SELECT permission is denied in the database (not db_datareader, db_owner or the admin)"
SQL_REFUSALS = frozenset({18456, 229, "28P01", "28000", "42501"})  # sign-in refused; no privilege
PG_READ = "SELECT count(*) FROM public.checks"
PG_WRITE = "INSERT INTO public.checks (id, note) VALUES (-1, 'written by provision verify')"

Params = Mapping[str, Any]


class SqlRefusal(VerifyError):
    """SQL answered with an error number instead of a connection that may read."""

    def __init__(self, number: object, message: str) -> None:
        super().__init__(message)
        self.number = number

    @property
    def for_lack_of_rights(self) -> bool:
        return self.number in SQL_REFUSALS


class Identity:
    """The identity's credential and the SDK clients built on it, shared by the checks of one probe."""

    def __init__(self, credential: TokenCredential, cloud: Params) -> None:
        self.credential = credential
        self.cloud = cloud
        self._clients: dict[str, Any] = {}

    def scope(self, name: str) -> str:
        return str(self.cloud[f"{name}_scope"])

    def arm(self) -> Any:
        from azure.mgmt.resource.resources import ResourceManagementClient

        return self._shared("arm", lambda: ResourceManagementClient(**self._management_options()))

    def storage_management(self) -> Any:
        from azure.mgmt.storage import StorageManagementClient

        return self._shared("storage", lambda: StorageManagementClient(**self._management_options()))

    def blobs(self, account_url: str, credential: Any = None) -> Any:
        from azure.storage.blob import BlobServiceClient

        if credential is not None:  # a SAS
            return BlobServiceClient(account_url, credential=credential)
        audience = self.scope("storage").removesuffix("/.default")
        return BlobServiceClient(account_url, credential=self.credential, audience=audience)

    def secrets(self, vault_url: str) -> Any:
        from azure.keyvault.secrets import SecretClient

        # The local cloud's vaults are served from 127.0.0.1, not from a host under the audience's domain.
        check = not self.cloud.get("local", False)
        return SecretClient(vault_url, self.credential, verify_challenge_resource=check)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def _management_options(self) -> dict[str, Any]:
        return {
            "credential": self.credential,
            "subscription_id": self.cloud["subscription_id"],
            "base_url": self.cloud["arm_endpoint"],
            "credential_scopes": [self.scope("arm")],
        }

    def _shared(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._clients:
            self._clients[key] = build()
        return self._clients[key]


def arm_read(identity: Identity, params: Params) -> str:
    identity.arm().resources.get_by_id(params["resource_id"], api_version=params["api_version"])
    return "read it through ARM"


def group_write(identity: Identity, params: Params) -> str:
    # The tags it already has (read by the operator just before): a write that changes nothing.
    identity.arm().resource_groups.update(params["group"], {"tags": params["tags"]})
    return "wrote the resource group's tags (unchanged) through ARM"


def blob_read(identity: Identity, params: Params) -> str:
    container = identity.blobs(params["account_url"]).get_container_client(params["container"])
    return _read_first_blob(container)


def blob_write(identity: Identity, params: Params) -> str:
    container = identity.blobs(params["account_url"]).get_container_client(params["container"])
    container.upload_blob(params["blob_name"], MARKER, overwrite=True)
    return f"wrote blob '{params['blob_name']}'"


def sas_read(identity: Identity, params: Params) -> str:
    container = _sas_container(identity, params, "rl")
    return "got a service SAS through ARM, then " + _read_first_blob(container)


def sas_write(identity: Identity, params: Params) -> str:
    container = _sas_container(identity, params, "rcw")
    container.upload_blob(params["blob_name"], MARKER, overwrite=True)
    if container.download_blob(params["blob_name"]).readall() != MARKER:
        raise ValueError(f"blob '{params['blob_name']}' read back with the SAS differs from what was written")
    return f"got a service SAS through ARM, wrote blob '{params['blob_name']}' with it and read it back"


def secret_read(identity: Identity, params: Params) -> str:
    secret = identity.secrets(params["vault_url"]).get_secret(params["name"])
    return f"read the value of secret '{secret.name}' (not shown)"


def sql_read(identity: Identity, params: Params) -> str:
    """Log in over TDS with the identity's token for Azure SQL and ask whether it may SELECT."""
    from provisioner.azure.sql_statements import MAY_READ
    from provisioner.azure.sql_tds import TdsAddress, run

    token = identity.credential.get_token(identity.scope("sql")).token
    address = TdsAddress(str(params["host"]), int(params["port"]), str(params["cafile"]))
    try:
        result = run(address, str(params["server"]), str(params["database"]), token, MAY_READ)
    except CloudError as refused:
        code = refused.code or ""
        raise SqlRefusal(int(code) if code.isdigit() else code, str(refused)) from None
    if result.rows and result.rows[0][0] == 1:
        return "connected over TDS with a token for Azure SQL and may read"
    raise SqlRefusal(229, NO_READ)


def pg_read(identity: Identity, params: Params) -> str:
    """Sign in to PostgreSQL as the identity (its name, a token for ossrdbms) and SELECT."""
    _pg(identity, params, [PG_READ])
    return f"signed in to PostgreSQL as '{params['user']}' with an Entra token and read table checks"


def pg_write(identity: Identity, params: Params) -> str:
    """The same, then INSERT in a transaction it rolls back: the right is proved, nothing stays."""
    _pg(identity, params, ["BEGIN", PG_WRITE, "ROLLBACK"])
    return f"signed in to PostgreSQL as '{params['user']}' and inserted into table checks (rolled back)"


def _pg(identity: Identity, params: Params, statements: list[str]) -> None:
    from provisioner.azure.postgres_sql import PgAddress, run

    token = identity.credential.get_token(identity.scope("ossrdbms")).token
    address = PgAddress(str(params["host"]), params.get("hostaddr"), int(params["port"]), str(params["sslrootcert"]))
    try:
        run(address, str(params["database"]), str(params["user"]), token, statements)
    except CloudError as refused:
        raise SqlRefusal(refused.code or "", str(refused)) from None


def _read_first_blob(container: Any) -> str:
    """List the container and download its first blob; both need the same right (blobs/read)."""
    first = next(iter(container.list_blobs()), None)
    if first is None:
        return "listed the container (empty: no blob to download)"
    size = len(container.download_blob(first.name).readall())
    return f"listed the container and downloaded blob '{first.name}' ({size} bytes)"


def _sas_container(identity: Identity, params: Params, permissions: str) -> Any:
    """A container client on a service SAS the identity obtained from ARM (listServiceSas)."""
    account, container = params["account"], params["container"]
    request = {
        "canonicalizedResource": f"/blob/{account}/{container}",
        "signedResource": "c",
        "signedPermission": permissions,
        "signedProtocol": "https",
        "signedExpiry": (datetime.now(UTC) + SAS_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    accounts = identity.storage_management().storage_accounts
    token = accounts.list_service_sas(params["group"], account, request).service_sas_token
    return identity.blobs(params["account_url"], credential=token).get_container_client(container)
