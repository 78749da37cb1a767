"""Deployment state in a blob container on the local cloud, through azure-storage-blob and the operator's
azure-identity credential: conditional writes, lease locks, a killed holder's lease running out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from provisioner.azure.target import Target
from provisioner.emulator.server import LocalCloudServer
from provisioner.errors import LockHeldError, StateError
from provisioner.state import DeploymentState
from provisioner.state.backend import StateBackend
from provisioner.state.blob_lock import LEASE_VARIABLE
from provisioner.state.select import open_backend
from tests.emulator import builders
from tests.emulator.helpers_storage import BLOB_DATA_CONTRIBUTOR, account, container, group
from tests.state_history import check_destroyed_state_is_not_kept, check_history

GROUP = "state-rg"
ACCOUNT = "provstate"
LOCATION = f"azblob://{ACCOUNT}/tfstate/team-a"


@pytest.fixture(scope="module")
def state_container(local_cloud: LocalCloudServer, target: Target) -> str:
    group_id = group(local_cloud, target.credential, GROUP)
    account(local_cloud, target.credential, GROUP, ACCOUNT)
    made = container(local_cloud, target.credential, GROUP, ACCOUNT, "tfstate")
    builders.assign(local_cloud, target.credential, group_id, BLOB_DATA_CONTRIBUTOR, target.principal_id())
    return str(made.id)


def _backend(target: Target) -> StateBackend:
    return open_backend(LOCATION, target)


def test_save_load_list_delete(target: Target, state_container: str) -> None:
    store = _backend(target)
    assert store.load("web") is None
    state = DeploymentState(deployment="web")
    state.outputs["url"] = "https://example.test"
    store.save(state)
    other = _backend(target)
    assert other.load_or_new("web").outputs == {"url": "https://example.test"}
    assert "web" in other.deployments()
    other.delete("web")
    assert store.load("web") is None and "web" not in store.deployments()


def test_two_writers_lose_no_update(
    target: Target, state_container: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the rescue file goes under the working directory
    first, second = _backend(target), _backend(target)
    first.save(DeploymentState(deployment="race"))
    mine, theirs = first.load_or_new("race"), second.load_or_new("race")
    mine.outputs["who"] = "first"
    first.save(mine)
    theirs.outputs["who"] = "second"
    with pytest.raises(StateError, match="changed by another writer") as raised:
        second.save(theirs)
    assert _backend(target).load_or_new("race").outputs == {"who": "first"}
    rescued = list((tmp_path / ".provision/rejected").glob("race.*.json"))
    assert len(rescued) == 1 and '"second"' in rescued[0].read_text()
    assert str(rescued[0].name) in str(raised.value)


def test_a_create_loses_to_an_earlier_create(
    target: Target, state_container: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    late, early = _backend(target), _backend(target)
    assert late.load("fresh") is None
    early.save(DeploymentState(deployment="fresh"))
    with pytest.raises(StateError, match="changed by another writer"):
        late.save(DeploymentState(deployment="fresh"))


def test_a_second_lock_names_the_holder_until_released(target: Target, state_container: str) -> None:
    with _backend(target).lock("locked", command="apply") as held:
        assert held.took_over is None
        with pytest.raises(LockHeldError) as raised:
            _backend(target).lock("locked", command="destroy").__enter__()
        message = str(raised.value)
        assert f"pid {os.getpid()}" in message and "(apply)" in message and "deployment 'locked'" in message
    with _backend(target).lock("locked", command="destroy") as next_holder:
        assert next_holder.took_over is None  # released cleanly: nothing to take over


_HOLDER = """
import os, sys, time
from provisioner.azure.target import LocalCloudConnection, local_target
from provisioner.state.select import open_backend
url, tenant, subscription, client, ca = sys.argv[1:6]
secret = os.environ["HOLDER_SECRET"]
target = local_target(LocalCloudConnection(url, tenant, subscription, client, secret, ca))
lock = open_backend("{location}", target).lock("killed", command="apply")
lock.__enter__()
print("held", flush=True)
time.sleep(120)
"""


def test_a_killed_holder_frees_the_lock_when_its_lease_runs_out(
    local_cloud: LocalCloudServer, target: Target, state_container: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LEASE_VARIABLE, "15")  # Azure's shortest lease
    identity = local_cloud.cloud.identity
    argv = [local_cloud.url, identity.tenant_id, identity.subscription_id, identity.operator_client_id]
    argv.append(str(local_cloud.ca_cert))
    environment = os.environ | {"HOLDER_SECRET": identity.operator_secret}
    code = textwrap.dedent(_HOLDER).format(location=LOCATION)
    holder = subprocess.Popen([sys.executable, "-c", code, *argv], stdout=subprocess.PIPE, text=True, env=environment)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with pytest.raises(LockHeldError, match=f"pid {holder.pid}"):
        _backend(target).lock("killed", command="apply").__enter__()
    with _backend(target).lock("killed", command="apply", timeout=30) as taken:
        assert taken.took_over is not None and taken.took_over.pid == holder.pid


def test_history_in_the_container(target: Target, state_container: str) -> None:
    check_history(lambda: _backend(target), "kept", keep=5)
    check_destroyed_state_is_not_kept(lambda: _backend(target), "destroyed")
    assert "kept" not in _backend(target).deployments()
