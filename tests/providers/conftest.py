"""Fixtures for provider tests: a local cloud per module, a Target and Clients for it, and helpers
that build `Desired` values the way the planner does (spec defaults filled in, secrets apart)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import BaseModel

from provisioner.cloud.clients import Clients
from provisioner.cloud.target import LocalCloudConnection, Target, local_target
from provisioner.emulator.server import LocalCloudServer
from provisioner.kinds import KINDS
from provisioner.plan.context import RunContext
from provisioner.providers.base import Desired

DEPLOYMENT_TAGS = {"provision-scenario": "tests", "provision-deployment": "providers"}


@pytest.fixture(scope="module")
def connection(local_cloud: LocalCloudServer) -> LocalCloudConnection:
    identity = local_cloud.cloud.identity
    return LocalCloudConnection(
        url=local_cloud.url,
        tenant_id=identity.tenant_id,
        subscription_id=identity.subscription_id,
        client_id=identity.operator_client_id,
        client_secret=identity.operator_secret,
        ca_cert=local_cloud.ca_cert,
    )


@pytest.fixture(scope="module")
def target(connection: LocalCloudConnection) -> Iterator[Target]:
    built = local_target(connection)
    yield built
    built.close()


@pytest.fixture(scope="module")
def clients(target: Target) -> Iterator[Clients]:
    with Clients(target) as built:
        yield built


@pytest.fixture
def ctx(clients: Clients) -> RunContext:
    """A fresh read cache per test, as one plan or apply has."""
    return RunContext(clients)


@pytest.fixture
def unique() -> str:
    """A short suffix that keeps names of one module's tests apart."""
    return uuid.uuid4().hex[:8]


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def desired(
    kind: str,
    values: Mapping[str, Any],
    *,
    existing: bool = False,
    secrets: Mapping[str, str] | None = None,
    address: str = "resource",
) -> Desired:
    """`Desired` for `kind` with the spec's defaults, as the planner builds it (references resolved)."""
    info = KINDS[kind]
    spec = info.spec.model_validate(dict(values))
    plain = {name: _plain(getattr(spec, name)) for name in type(spec).model_fields if name not in info.secrets}
    tags = {} if existing else DEPLOYMENT_TAGS
    return Desired(address, kind, existing, plain, dict(secrets or {}), tags)


def changed(original: Desired, **values: Any) -> Desired:
    """The same resource with some attributes set differently."""
    return Desired(
        original.address,
        original.kind,
        original.existing,
        {**original.values, **values},
        original.secrets,
        original.tags,
    )
