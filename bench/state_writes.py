"""State writes per second: the local directory backend against the blob backend on the local cloud
with latency injected on every request (20 ms by default). Each write is what apply does after a
step: one conditional PUT of the whole document. Numbers only; nothing here asserts.
Run alone: python -m bench.state_writes [--latency-ms 20] [--writes 50].
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from provisioner.azure.clients import Clients
from provisioner.azure.target import Target, local_target
from provisioner.cli.targets import server_connection
from provisioner.emulator.server import LocalCloudServer
from provisioner.state import StateStore
from provisioner.state.backend import StateBackend
from provisioner.state.select import open_backend

ACCOUNT = "benchstate"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"


def _storage(clients: Clients, target: Target) -> None:
    """A resource group, account and container, and Storage Blob Data Contributor on it for the operator."""
    group = clients.resources.resource_groups.create_or_update("bench-state", {"location": "westus"})
    body = {"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}
    clients.storage.storage_accounts.begin_create("bench-state", ACCOUNT, body).result()
    clients.storage.blob_containers.create("bench-state", ACCOUNT, "state", {})
    role = f"/subscriptions/{target.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/"
    assignment = {
        "properties": {"roleDefinitionId": role + BLOB_DATA_CONTRIBUTOR, "principalId": target.principal_id()}
    }
    clients.authorization.role_assignments.create(group.id, str(uuid.uuid4()), assignment)


def writes_per_second(backend: StateBackend, writes: int) -> float:
    state = backend.load_or_new("bench")
    started = time.perf_counter()
    for number in range(writes):
        state.outputs["n"] = str(number)
        backend.save(state)
    return writes / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.state_writes")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--writes", type=int, default=50)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="provision-bench-") as directory:
        local = writes_per_second(StateStore(Path(directory) / "state"), args.writes)
        server = LocalCloudServer(Path(directory) / "cloud")
        server.start()
        try:
            target = local_target(server_connection(server))
            with Clients(target) as clients:
                _storage(clients, target)
            server.cloud.faults.settings.latency_ms = args.latency_ms
            blob = writes_per_second(open_backend(f"azblob://{ACCOUNT}/state", target), args.writes)
            target.close()
        finally:
            server.stop()
    print(f"local directory: {local:8.1f} state writes/s (fsync + rename)")
    print(f"blob container:  {blob:8.1f} state writes/s ({args.latency_ms:g} ms injected per request)")
    print(f"blob / local:    {blob / local:8.3f}")


if __name__ == "__main__":
    main()
