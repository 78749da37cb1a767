"""The provider interface: how one kind is read, created, updated and deleted through the Azure SDKs.

`provisioner/kinds/<kind>.py` says what a scenario may write (pure, no SDK); the provider of the same
name in `provisioner/providers/<kind>.py` says how it maps onto Azure. The planner calls `read` and
`diff` (no side effects); the executor calls `create`, `update`, `delete` and `restore`.

A provider sees the kind's spec with every reference resolved (`Desired.spec`, an instance of the
kind's model) and reads it through its fields and methods; `Desired.values` is the same spec as
plain data, for the generic diff and the plan. A value that is only known once a dependency has
been created is `UNKNOWN` (the planner shows it as "(known after apply)"; the executor never calls
a provider with one). What `diff` compares (`managed`) is checked against the spec's fields when
the provider is made, so a misspelt attribute cannot hide drift.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel

from provisioner.kinds import KINDS
from provisioner.kinds.base import KindInfo, Spec

T = TypeVar("T")
S = TypeVar("S", bound=Spec)


class Unknown:
    """A value known only after apply."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


def is_known(value: Any) -> bool:
    """False when the value, or anything inside it, is UNKNOWN."""
    if value is UNKNOWN:
        return False
    if isinstance(value, Mapping):
        return all(is_known(item) for item in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return all(is_known(item) for item in value)
    return True


@dataclass(frozen=True)
class Desired(Generic[S]):
    """One resource as the scenario wants it, references resolved."""

    address: str  # the scenario's local name, e.g. "vm"
    kind: str
    existing: bool
    spec: S  # the kind's spec, references resolved (may hold UNKNOWN before apply); secret fields None
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)  # resolved secret values; never rendered
    tags: Mapping[str, str] = field(default_factory=dict)  # tags every created ARM resource carries

    @functools.cached_property
    def values(self) -> Mapping[str, Any]:
        """The spec as plain data (nested models as mappings), secret attributes left out."""
        spec, secrets = self.spec, KINDS[self.kind].secrets
        return {name: plain(getattr(spec, name)) for name in type(spec).model_fields if name not in secrets}


def plain(value: Any) -> Any:
    """A spec value as plain data: models as mappings, tuples as lists."""
    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Observed:
    """What exists in the cloud for one resource."""

    azure_id: str  # ARM id, Graph object id, or a stable composite key (memberships, policies, db users)
    attributes: Mapping[str, Any]  # live values of the attributes the provider manages, keyed like Desired.values
    exports: Mapping[str, Any]  # the kind's exported attributes (id, name, principal_id, ...)


@dataclass(frozen=True)
class AttributeChange:
    path: str
    before: Any
    after: Any
    forces_replacement: bool = False
    sensitive: bool = False


class CloudClients(Protocol):
    """SDK clients for one target, built lazily and shared by every step of a run (thread-safe)."""

    subscription_id: str
    tenant_id: str

    @property
    def principal_id(self) -> str: ...  # object id of the principal provision signs in as
    @property
    def principal_type(self) -> str: ...  # its type: User or ServicePrincipal

    @property
    def resources(self) -> Any: ...  # azure.mgmt.resource.resources.ResourceManagementClient
    @property
    def network(self) -> Any: ...  # azure.mgmt.network.NetworkManagementClient
    @property
    def compute(self) -> Any: ...  # azure.mgmt.compute.ComputeManagementClient
    @property
    def msi(self) -> Any: ...  # azure.mgmt.msi.ManagedServiceIdentityClient
    @property
    def authorization(self) -> Any: ...  # azure.mgmt.authorization.AuthorizationManagementClient
    @property
    def storage(self) -> Any: ...  # azure.mgmt.storage.StorageManagementClient
    @property
    def keyvault(self) -> Any: ...  # azure.mgmt.keyvault.KeyVaultManagementClient
    @property
    def sql(self) -> Any: ...  # azure.mgmt.sql.SqlManagementClient
    @property
    def web(self) -> Any: ...  # azure.mgmt.web.WebSiteManagementClient
    @property
    def mysql(self) -> Any: ...  # azure.mgmt.mysqlflexibleservers.MySQLManagementClient
    @property
    def postgres(self) -> Any: ...  # azure.mgmt.postgresqlflexibleservers.PostgreSQLManagementClient
    @property
    def msgraph(self) -> Any: ...  # msgraph.GraphServiceClient (async: run its calls with `run_msgraph`)

    def run_msgraph(self, call: Callable[[Any], Awaitable[T]]) -> T:
        """Run `call(graph_client)` on the clients' event loop and return its result (blocking)."""
        ...

    def secret_client(self, vault_url: str) -> Any: ...  # azure.keyvault.secrets.SecretClient
    def blob_service(self, account_url: str) -> Any: ...  # azure.storage.blob.BlobServiceClient

    @property
    def sql_tds(self) -> Any: ...  # provisioner.azure.sql_tds.SqlConnector (T-SQL over TDS)

    @property
    def postgres_sql(self) -> Any: ...  # provisioner.azure.postgres_sql.PostgresConnector (psycopg)


class ReadCache(Protocol):
    """Memoises batched reads for one plan (role assignments per scope, members per group)."""

    def get_or_load(self, key: tuple[str, ...], load: Callable[[], T]) -> T: ...


class ProviderContext(Protocol):
    clients: CloudClients
    cache: ReadCache


class Provider(ABC, Generic[S]):
    """How one kind maps onto Azure. Every operation is idempotent: create adopts what already
    exists, update changes only what differs, delete treats "already gone" as success.

    Made by the provider table with the kind it serves (`KindInfo.provider` names the class)."""

    managed: ClassVar[tuple[str, ...]] = ()  # spec attributes `diff` compares
    computed: ClassVar[frozenset[str]] = frozenset()  # compared attributes `wanted` derives from the spec
    replace_on: ClassVar[frozenset[str]] = frozenset()  # attributes Azure cannot change in place

    def __init__(self, kind: KindInfo[S]) -> None:
        fields = set(kind.spec.model_fields)
        unknown = sorted(set(self.managed) - fields - self.computed) + sorted(self.replace_on - set(self.managed))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} compares {', '.join(unknown)}, which {kind.name}'s spec does not have "
                "(replace_on must also be managed)"
            )
        self.info = kind

    @property
    def kind(self) -> str:
        return self.info.name

    @property
    def sensitive(self) -> frozenset[str]:
        """Attributes never shown or stored: the kind's secrets."""
        return self.info.secrets

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every cloud-facing method of a provider raises provisioner errors only (CloudError with
        Azure's status and code, TransientCloudError for what is worth retrying), never SDK exceptions."""
        super().__init_subclass__(**kwargs)
        from provisioner.azure.errors import translating

        for name in ("read", "create", "update", "delete", "restore"):
            if name in cls.__dict__:
                setattr(cls, name, translating(cls.__dict__[name]))

    @abstractmethod
    def read(self, ctx: ProviderContext, desired: Desired[S]) -> Observed | None:
        """The live resource, or None when it does not exist. No side effects."""

    def wanted(self, desired: Desired[S]) -> Mapping[str, Any]:
        """What `diff` compares, keyed like `Observed.attributes`. Default: the `managed` attributes the
        scenario sets; nothing for an `existing` resource (it sets only the attributes that find it)."""
        if desired.existing:
            return {}
        return {path: desired.values[path] for path in self.managed if desired.values.get(path) is not None}

    def matches(self, path: str, wanted: Any, live: Any) -> bool:
        """Whether a live value satisfies the wanted one (as Azure compares: see `normalise`)."""
        return bool(normalise(_blank(wanted)) == normalise(_blank(live)))

    def diff(self, desired: Desired[S], observed: Observed) -> list[AttributeChange]:
        """Attribute-level differences between the scenario and the cloud (empty: nothing to do).
        Unknown desired values are differences."""
        changes = []
        for path, after in self.wanted(desired).items():
            before = observed.attributes.get(path)
            if not is_known(after) or not self.matches(path, after, before):
                changes.append(
                    AttributeChange(
                        path,
                        before,
                        after,
                        forces_replacement=path in self.replace_on,
                        sensitive=path in self.sensitive,
                    )
                )
        return changes

    def prior_values(self, observed: Observed, changes: list[AttributeChange]) -> dict[str, Any]:
        """What to remember before `update` changes a resource provision did not create, so that
        `restore` can put it back. Default: the values the changes replace."""
        return {change.path: change.before for change in changes}

    @abstractmethod
    def create(self, ctx: ProviderContext, desired: Desired[S]) -> Observed:
        """Create (or adopt an equal existing) resource; the result carries its exports."""

    def update(
        self, ctx: ProviderContext, desired: Desired[S], observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        """Change what differs in place. Default: create again (ARM PUT is create-or-update)."""
        return self.create(ctx, desired)

    @abstractmethod
    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> str | None:
        """Delete by what the state recorded; success when it is already gone. Returns what Azure had to
        keep (e.g. a soft-deleted vault that purge protection keeps), reported as left behind, or None."""

    def restore(self, ctx: ProviderContext, observed: Observed, prior: Mapping[str, Any]) -> None:
        """Put back what an apply changed on a resource provision did not create (teardown); `prior`
        is what `prior_values` returned before the change."""
        raise NotImplementedError(f"{self.kind} cannot restore changed attributes")


def _blank(value: Any) -> Any:
    """An empty list or mapping means the same as no value at all."""
    return None if isinstance(value, list | tuple | Mapping) and not value else value


def normalise(value: Any) -> Any:
    """Compare as Azure does: ids and names case-insensitively, lists as sets, no None vs empty."""
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, Mapping):
        return {str(key).lower(): normalise(item) for key, item in value.items() if item not in (None, [], {})}
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((normalise(item) for item in value), key=repr)
    return value
