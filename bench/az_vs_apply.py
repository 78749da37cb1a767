"""The first tutorial two ways on one local cloud with latency injected: as the Azure CLI script a
reader of the tutorial runs (`az group create`, `az vm create --assign-identity --role Reader --scope`),
and as `provision apply` of scenarios/vm-system-identity-arm.yaml; prints both wall times and their
ratio. az signs in first (untimed), as `eval "$(provision cloud env --az)"` does; every az command
is its own process, start-up included, as in a script. Needs `make az-cli` (make bench does).
Run alone: python -m bench.az_vs_apply [--latency-ms 50].
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.apply_critical_path import DEFAULT_SCENARIO, Run, local_cloud
from bench.report import figure
from provisioner.emulator.server import LocalCloudServer
from provisioner.scenario import load_scenario
from provisioner.state import StateStore

AZ_BIN = Path(__file__).resolve().parents[1] / ".venv-az" / "bin"
PROVISION = Path(sys.executable).with_name("provision")
GROUP = "az-mi-arm-rg"
PASSWORD = "Local-cloud-1-password"


def az_environment(server: LocalCloudServer, home: Path) -> dict[str, str]:
    """The variables `eval "$(provision cloud env --az)"` leaves, with az signed in as the operator."""
    base = {name: value for name, value in os.environ.items() if not name.startswith(("AZURE_", "MSI_"))}
    base |= {"PATH": f"{AZ_BIN}{os.pathsep}{base.get('PATH', '')}", "HOME": str(home)}
    command = shlex.join([str(PROVISION), "cloud", "env", "--az", "--data-dir", str(server.data_dir)])
    finished = subprocess.run(
        ["bash", "-c", f'eval "$({command})" && env -0'], env=base, capture_output=True, text=True, check=True
    )
    return dict(entry.split("=", 1) for entry in finished.stdout.split("\0") if "=" in entry)


def az_tutorial(env: dict[str, str]) -> float:
    """Seconds the tutorial's az commands take, one process each."""
    group_id = f"/subscriptions/{env['AZURE_SUBSCRIPTION_ID']}/resourceGroups/{GROUP}"
    commands = [
        ["group", "create", "-n", GROUP, "-l", "westus"],
        ["vm", "create", "-g", GROUP, "-n", "az-mi-arm-vm", "--image", "Win2022Datacenter", "--size", "Standard_B2s",
         "--admin-username", "azureuser", "--admin-password", PASSWORD, "--public-ip-address", "", "--nsg", "",
         "--assign-identity", "--role", "Reader", "--scope", group_id],
    ]  # fmt: skip
    started = time.monotonic()
    for command in commands:
        subprocess.run(["az", *command, "-o", "none"], env=env, capture_output=True, text=True, check=True)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.az_vs_apply")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    if not (AZ_BIN / "az").exists():
        print(f"skipped: no Azure CLI in {AZ_BIN.parent} (make az-cli installs it)")
        return
    scenario = load_scenario(DEFAULT_SCENARIO)
    print(f"first tutorial ({scenario.name}), {args.latency_ms:.0f} ms latency per call")
    with local_cloud(args.latency_ms) as (server, clients), tempfile.TemporaryDirectory() as scratch:
        az_seconds = az_tutorial(az_environment(server, Path(scratch)))
        plan_seconds, apply_seconds, _ = Run(server, clients, scenario, StateStore(Path(scratch) / "state")).apply()
    provision_seconds = plan_seconds + apply_seconds
    print(f"az script {az_seconds:.2f}s; provision plan + apply {provision_seconds:.2f}s")
    print("  " + figure("az script / provision apply", az_seconds / provision_seconds, ">=", 1))


if __name__ == "__main__":
    main()
