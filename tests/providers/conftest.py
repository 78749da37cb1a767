"""Fixtures for provider tests: a local cloud per module, a Target and Clients for it, and helpers
that build `Desired` values the way the planner does (spec defaults filled in, secrets apart)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from provisioner.azure.clients import Clients
from provisioner.azure.target import LocalCloudConnection, Target, local_target
from provisioner.cli.targets import server_connection
from provisioner.emulator.server import LocalCloudServer
from provisioner.kinds import KINDS
from provisioner.plan.context import RunContext
from provisioner.plan.desired import resolved_spec
from provisioner.providers.base import Desired

DEPLOYMENT_TAGS = {"provision-scenario": "tests", "provision-deployment": "providers"}


@pytest.fixture(scope="module")
def connection(local_cloud: LocalCloudServer) -> LocalCloudConnection:
    return server_connection(local_cloud)


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


def desired(
    kind: str,
    values: Mapping[str, Any],
    *,
    existing: bool = False,
    secrets: Mapping[str, str] | None = None,
    address: str = "resource",
) -> Desired[Any]:
    """`Desired` for `kind` with the spec's defaults, as the planner builds it (references resolved)."""
    info = KINDS[kind]
    spec = resolved_spec(info.spec.model_validate(dict(values)), lambda ref: None, info.secrets)
    tags = {} if existing else DEPLOYMENT_TAGS
    return Desired(address, kind, existing, spec, dict(secrets or {}), tags)


def changed(original: Desired[Any], **values: Any) -> Desired[Any]:
    """The same resource with some attributes set differently (None: back to the default)."""
    merged = {key: value for key, value in {**original.values, **values}.items() if value is not None}
    secrets = dict(original.secrets)
    return desired(original.kind, merged, existing=original.existing, secrets=secrets, address=original.address)
