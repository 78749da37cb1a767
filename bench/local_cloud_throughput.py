"""Throughput of the local cloud for authenticated ARM GETs, with no injected latency.

The cloud runs in its own process (as `provision cloud start` would). Clients are separate
processes, each a real ResourceManagementClient reading one resource group in a loop for a fixed
time, so that the SDK's own per-call work (which costs more CPU than the server's) is spread over
processes rather than serialised on one interpreter. Target: >= 300 GETs per second on 2 cores.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.report import figure

DURATION_SECONDS = 5.0
CLIENT_PROCESSES = 3
TARGET_PER_SECOND = 300

SERVE = """
import json, sys, pathlib
from provisioner.emulator.server import LocalCloudServer
server = LocalCloudServer(pathlib.Path(sys.argv[1]))
server.start()
identity = server.cloud.identity
print(json.dumps({"url": server.url, "ca": str(server.ca_cert), "tenant": identity.tenant_id,
    "subscription": identity.subscription_id, "client": identity.operator_client_id,
    "secret": identity.operator_secret}), flush=True)
sys.stdin.read()
server.stop()
"""

READ = """
import json, sys, time
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
info, duration = json.loads(sys.argv[1]), float(sys.argv[2])
credential = ClientSecretCredential(info["tenant"], info["client"], info["secret"], authority=info["url"],
    disable_instance_discovery=True, connection_verify=info["ca"])
client = ResourceManagementClient(credential, info["subscription"], base_url=info["url"],
    connection_verify=info["ca"])
client.resource_groups.create_or_update("bench", {"location": "westus"})
print("ready", flush=True)
sys.stdin.readline()
done, stop = 0, time.monotonic() + duration
while time.monotonic() < stop:
    client.resource_groups.get("bench")
    done += 1
print(done, flush=True)
"""


def _measure(info: dict[str, Any]) -> int:
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READ, json.dumps(info), str(DURATION_SECONDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(CLIENT_PROCESSES)
    ]
    for reader in readers:  # start the clock together, after every client's imports and token
        assert reader.stdout is not None
        reader.stdout.readline()
    for reader in readers:
        assert reader.stdin is not None
        reader.stdin.write("go\n")
        reader.stdin.flush()
    return sum(int(reader.communicate(timeout=120)[0].strip()) for reader in readers)


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(Path(data_dir))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            total = _measure(json.loads(server.stdout.readline()))
        finally:
            server.kill()
            server.wait(timeout=30)
    print(f"authenticated ARM GETs: {total} in {DURATION_SECONDS:.0f} s from {CLIENT_PROCESSES} client processes")
    print(figure("throughput", total / DURATION_SECONDS, ">=", TARGET_PER_SECOND, digits=0, unit="GET/s"))


if __name__ == "__main__":
    main()
