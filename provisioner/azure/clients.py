"""The SDK clients of one target, built lazily, shared by every step of a run, closed together.

Every management client gets the target's ARM endpoint as `base_url` and its ARM scope as
`credential_scopes`, the CA bundle of the local cloud through `connection_verify`, a retry policy
suited to Azure (429 and 5xx retried, Retry-After honoured, bounded backoff and total time) and a
polling interval no longer than the profile's (a poller uses the service's Retry-After when it gives
one, and this interval only when it does not). ARM and Graph clients wait for the process pacer's
tokens before each request (provisioner.azure.paced); the data-plane clients do not.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from azure.core.pipeline.policies import RetryPolicy

from provisioner.azure.msgraph import MsGraphRunner
from provisioner.azure.mysql_wire import MySqlConnector
from provisioner.azure.paced import ArmPacedTransport
from provisioner.azure.postgres_sql import PostgresConnector
from provisioner.azure.sql_tds import SqlConnector
from provisioner.azure.target import Target
from provisioner.execution.pacing import Pacer, process_pacer

T = TypeVar("T")

USER_AGENT = "provision"
ARM_CONNECTIONS = 64  # kept open to ARM: steps at a time (up to 64) plus their LRO pollers


@dataclass(frozen=True)
class RetrySettings:
    """How the SDK clients retry 429, 5xx and connection failures (Retry-After is always honoured)."""

    total: int = 6
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    timeout: float = 300.0
    """Bound on the total time one call spends, retries included."""

    def policy(self) -> RetryPolicy[Any, Any]:
        return RetryPolicy(
            retry_total=self.total,
            retry_status=self.total,
            retry_backoff_factor=self.backoff_factor,
            retry_backoff_max=self.backoff_max,
            timeout=self.timeout,
        )

    def storage_policy(self) -> Any:
        """About the same for the storage data plane, whose pipeline needs a retry policy of its own kind
        (azure-core's passes the storage SDK's `hosts` option on to the transport, which refuses it)."""
        from azure.storage.blob import ExponentialRetry

        return ExponentialRetry(initial_backoff=1, increment_base=2, retry_total=self.total, random_jitter_range=1)


MANAGEMENT_CLIENTS = {
    "resources": "azure.mgmt.resource.resources:ResourceManagementClient",
    "network": "azure.mgmt.network:NetworkManagementClient",
    "compute": "azure.mgmt.compute:ComputeManagementClient",
    "msi": "azure.mgmt.msi:ManagedServiceIdentityClient",
    "authorization": "azure.mgmt.authorization:AuthorizationManagementClient",
    "storage": "azure.mgmt.storage:StorageManagementClient",
    "keyvault": "azure.mgmt.keyvault:KeyVaultManagementClient",
    "sql": "azure.mgmt.sql:SqlManagementClient",
    "web": "azure.mgmt.web:WebSiteManagementClient",
    "mysql": "azure.mgmt.mysqlflexibleservers:MySQLManagementClient",
    "postgres": "azure.mgmt.postgresqlflexibleservers:PostgreSQLManagementClient",
}


class Clients:
    """Implements `provisioner.providers.base.CloudClients` for one target (thread-safe)."""

    def __init__(self, target: Target, retries: RetrySettings | None = None, pacer: Pacer | None = None) -> None:
        self.target = target
        self.retries = retries or RetrySettings()
        self.pacer = pacer or process_pacer()
        self.subscription_id = target.subscription_id
        self.tenant_id = target.tenant_id
        self._lock = threading.Lock()
        self._built: dict[str, Any] = {}
        self._msgraph: MsGraphRunner | None = None
        self._session: Any = None  # the management clients' requests.Session
        self.sql_tds = SqlConnector(target)
        self.postgres_sql = PostgresConnector(target)
        self.mysql_wire = MySqlConnector(target)
        self._principal_id: str | None = None

    @property
    def principal_id(self) -> str:
        """The object id of the principal every call is made as."""
        if self._principal_id is None:
            self._principal_id = self.target.principal_id()
        return self._principal_id

    @property
    def principal_type(self) -> str:
        """`User` or `ServicePrincipal`: the type of the principal every call is made as."""
        return self.target.principal_type()

    @property
    def resources(self) -> Any:
        return self._management("resources")

    @property
    def network(self) -> Any:
        return self._management("network")

    @property
    def compute(self) -> Any:
        return self._management("compute")

    @property
    def msi(self) -> Any:
        return self._management("msi")

    @property
    def authorization(self) -> Any:
        return self._management("authorization")

    @property
    def storage(self) -> Any:
        return self._management("storage")

    @property
    def keyvault(self) -> Any:
        return self._management("keyvault")

    @property
    def sql(self) -> Any:
        return self._management("sql")

    @property
    def web(self) -> Any:
        return self._management("web")

    @property
    def mysql(self) -> Any:
        return self._management("mysql")

    @property
    def postgres(self) -> Any:
        return self._management("postgres")

    @property
    def msgraph(self) -> Any:
        return self._msgraph_runner().client

    def run_msgraph(self, call: Callable[[Any], Awaitable[T]]) -> T:
        return self._msgraph_runner().run(call)

    def secret_client(self, vault_url: str) -> Any:
        from azure.keyvault.secrets import SecretClient

        return self._shared(
            f"vault:{vault_url.rstrip('/').lower()}",
            lambda: SecretClient(
                vault_url,
                self.target.credential,
                # The local cloud's vaults live on 127.0.0.1, not under the audience's domain.
                verify_challenge_resource=not self.target.profile.local,
                retry_policy=self.retries.policy(),
                **self._transport_options(),
            ),
        )

    def blob_service(self, account_url: str) -> Any:
        from azure.storage.blob import BlobServiceClient

        return self._shared(
            f"blob:{account_url.rstrip('/').lower()}",
            lambda: BlobServiceClient(
                account_url,
                credential=self.target.credential,
                audience=self.target.profile.audiences.storage,
                retry_policy=self.retries.storage_policy(),
                **self._transport_options(),
            ),
        )

    def close(self) -> None:
        with self._lock:
            built, self._built = self._built, {}
            msgraph, self._msgraph = self._msgraph, None
            session, self._session = self._session, None
        for client in built.values():
            client.close()
        if session is not None:
            session.close()
        if msgraph is not None:
            msgraph.close()
        self.sql_tds.close()
        self.postgres_sql.close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _management(self, name: str) -> Any:
        return self._shared(name, lambda: self._build_management(name))

    def _build_management(self, name: str) -> Any:
        module, _, attribute = MANAGEMENT_CLIENTS[name].partition(":")
        client_class = getattr(importlib.import_module(module), attribute)
        profile = self.target.profile
        return client_class(
            self.target.credential,
            self.subscription_id,
            base_url=profile.arm_endpoint,
            credential_scopes=[profile.arm_scope],
            polling_interval=profile.poll_interval,
            retry_policy=self.retries.policy(),
            transport=self._paced_transport(),
            **self._transport_options(),
        )

    def _paced_transport(self) -> ArmPacedTransport:
        from azure.core.pipeline.transport import RequestsTransport

        inner = RequestsTransport(session=self._arm_session(), session_owner=False, **self._transport_options())
        return ArmPacedTransport(inner, self.pacer, self.target.profile.arm_endpoint, self.tenant_id)

    def _arm_session(self) -> Any:
        """One connection pool for every management client: a client's first request, and every LRO
        poller's, reuses a connection another opened instead of a TLS handshake of its own. (Called
        while `_shared` holds the lock.)"""
        if self._session is None:
            import requests
            from urllib3.util.retry import Retry

            session = requests.Session()
            # As azure-core's own transport mounts it: the pipeline's retry policy does the retrying.
            adapter = requests.adapters.HTTPAdapter(
                max_retries=Retry(total=False, redirect=False, raise_on_status=False),
                pool_connections=4,
                pool_maxsize=ARM_CONNECTIONS,
            )
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._session = session
        return self._session

    def _transport_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"user_agent": USER_AGENT}
        if self.target.ca_bundle is not None:
            options["connection_verify"] = str(self.target.ca_bundle)
        return options

    def _shared(self, key: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._built:
                self._built[key] = build()
            return self._built[key]

    def _msgraph_runner(self) -> MsGraphRunner:
        with self._lock:
            if self._msgraph is None:
                target = self.target
                self._msgraph = MsGraphRunner(
                    target.profile,
                    target.credential,
                    target.ca_bundle,
                    self.retries.total,
                    self.pacer,
                    target.tenant_id,
                )
            return self._msgraph
