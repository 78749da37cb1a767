"""Route dispatch does not depend on the order of the route tables: routes are tried by specificity."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from provisioner.emulator.app import LocalCloudApp
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.runtime import LocalCloud
from provisioner.emulator.seed import seed_cloud
from provisioner.emulator.services import ROUTE_TABLES, SCOPE_FINDERS

METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE", "HEAD")
SCOPES = ("/subscriptions/s1/resourceGroups/g1", "/acct1/container1")
VALUES = ("x1", "providers", "common")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> LocalCloud:
    return LocalCloud(Path(tmp_path_factory.mktemp("cloud")), seed_cloud, scope_finders=SCOPE_FINDERS)


def _shuffled(tables: tuple[RouteTable, ...], seed: int) -> list[RouteTable]:
    """The tables in another order, each with its routes in another order."""
    rng = random.Random(seed)
    copies = []
    for table in tables:
        copy = RouteTable(table.surface)
        copy.routes = rng.sample(table.routes, len(table.routes))
        copies.append(copy)
    rng.shuffle(copies)
    return copies


def _sample_paths() -> list[str]:
    """Paths made from every route's template, with values that collide with other routes' literals."""
    paths = {"/acct1/container1", "/acct1/container1/a/b.txt", "/common/discovery/instance"}
    for route in (route for table in ROUTE_TABLES for route in table.routes):
        if route.catch_all:
            continue
        for value in VALUES:
            for scope in SCOPES:
                path = re.sub(r"\{\w+\}", value, re.sub(r"\{\w+:path\}", scope, route.template))
                paths |= {path, path.lower(), f"{path}/extra", f"/acct1{path}"}
    return sorted(paths)


def _dispatch(app: LocalCloudApp, paths: list[str]) -> list[tuple[str | None, dict[str, str], str | None]]:
    outcome = []
    for path in paths:
        for method in METHODS:
            route, params, same_path = app.match(method, path)
            outcome.append((route and f"{route.method} {route.template}", params, same_path and same_path.surface))
    return outcome


def test_shuffled_route_tables_dispatch_every_path_the_same(cloud: LocalCloud) -> None:
    paths = _sample_paths()
    expected = _dispatch(LocalCloudApp(cloud, ROUTE_TABLES), paths)
    for seed in (1, 2, 3):
        assert _dispatch(LocalCloudApp(cloud, _shuffled(ROUTE_TABLES, seed)), paths) == expected
    assert _dispatch(LocalCloudApp(cloud, tuple(reversed(ROUTE_TABLES))), paths) == expected


@pytest.mark.parametrize(
    ("method", "path", "handler"),
    [
        ("POST", "/tenant1/oauth2/v2.0/token", "token"),
        ("GET", "/common/discovery/instance", "instance_discovery"),
        ("GET", "/subscriptions/s1/resourceGroups/g1", "get_resource_group"),
        ("GET", "/acct1/container1", "container_get"),
        ("GET", "/acct1/container1/dir/blob.txt", "blob_get"),
        (
            "GET",
            "/subscriptions/s1/resourceGroups/g1/providers/Microsoft.Authorization/roleAssignments/a1",
            "get_role_assignment",
        ),
    ],
)
def test_the_most_specific_route_wins_even_when_the_blob_catch_all_comes_first(
    cloud: LocalCloud, method: str, path: str, handler: str
) -> None:
    blob_first = sorted(ROUTE_TABLES, key=lambda table: not any(route.catch_all for route in table.routes))
    route, _, _ = LocalCloudApp(cloud, blob_first).match(method, path)
    assert route is not None
    assert route.handler.__name__ == handler
