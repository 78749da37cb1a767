"""The real Azure CLI (azure-cli 2.91.0 from PyPI, in the repo's `.venv-az`, made by `make az-cli`)
against an in-process local cloud, set up by exactly what a user runs: `eval "$(provision cloud env --az)"`.

Each test module gets its own cloud and its own az config dir; every `az` call is a subprocess that
sees only that environment, so nothing reaches the user's own az logins or a real cloud.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from provisioner.emulator.server import LocalCloudServer

REPO = Path(__file__).resolve().parents[2]
AZ_BIN = REPO / ".venv-az" / "bin"
PROVISION = Path(sys.executable).with_name("provision")
AZ_TIMEOUT_SECONDS = 120


@dataclass
class Az:
    """Runs `az` in the environment `provision cloud env --az` set up."""

    env: dict[str, str]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        finished = subprocess.run(
            ["az", *args], env=self.env, capture_output=True, text=True, timeout=AZ_TIMEOUT_SECONDS, check=False
        )
        if check and finished.returncode != 0:
            pytest.fail(f"az {' '.join(args)} exited {finished.returncode}:\n{finished.stderr}")
        return finished

    def json(self, *args: str) -> Any:
        """The command's JSON output (az's default `-o json`)."""
        return json.loads(self.run(*args, "-o", "json").stdout)

    def fails(self, *args: str) -> str:
        """Run a command az must refuse; its stderr."""
        finished = self.run(*args, check=False)
        assert finished.returncode != 0, f"az {' '.join(args)} succeeded:\n{finished.stdout}"
        return finished.stderr

    @property
    def subscription_id(self) -> str:
        return self.env["AZURE_SUBSCRIPTION_ID"]


def _az_installed() -> Path:
    if not (AZ_BIN / "az").exists():
        pytest.fail(f"The Azure CLI is not installed in {AZ_BIN.parent}: run `make az-cli` (make test does).")
    return AZ_BIN


SignIn = Callable[..., Az]


@pytest.fixture(scope="module")
def sign_in(local_cloud: LocalCloudServer, tmp_path_factory: pytest.TempPathFactory) -> SignIn:
    """az signed in by `eval "$(provision cloud env --az [ARGS])"`: as the operator, or with
    `--vm ID` / `--web-app ID` as that resource's identity (`az login --identity`)."""
    az_bin = _az_installed()
    base = {name: value for name, value in os.environ.items() if not name.startswith(("AZURE_", "AZ_", "MSI_"))}
    base["PATH"] = f"{az_bin}{os.pathsep}{base.get('PATH', '')}"
    base["HOME"] = str(tmp_path_factory.mktemp("home"))

    def signed_in(*args: str) -> Az:
        command = shlex.join([str(PROVISION), "cloud", "env", "--az", "--data-dir", str(local_cloud.data_dir), *args])
        finished = subprocess.run(
            ["bash", "-c", f'eval "$({command})" && env -0'],
            env=base,
            capture_output=True,
            text=True,
            timeout=AZ_TIMEOUT_SECONDS,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr
        return Az(dict(entry.split("=", 1) for entry in finished.stdout.split("\0") if "=" in entry))

    return signed_in


@pytest.fixture(scope="module")
def az(sign_in: SignIn) -> Az:
    """az signed in to the module's local cloud as the operator."""
    return sign_in()
