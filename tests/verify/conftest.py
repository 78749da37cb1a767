"""verify's tests: the module's local cloud (tests/conftest.py), `provision` run in-process against it,
and scenarios written to tmp files: a module applies its resources once, each test brings its checks
(same scenario name and deployment, so verify reads the state of that one apply)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioner.emulator.server import LocalCloudServer
from tests.e2e.conftest import (
    Cloud,
    Outcome,
    sdk,  # noqa: F401 -- the operator's SDK clients, for the module's cloud
)

HEADER = "scenario: {name}\ndescription: verify test scenario\n"


class VerifyCloud(Cloud):
    """Every command with the module's data and state directories."""

    def args(self, *args: str) -> list[str]:
        return [*args, "--data-dir", str(self.data_dir), "--state-dir", str(self.state_dir)]


@dataclass(frozen=True)
class Deployment:
    """One scenario's resources, deployed once; scenario files with the checks of each test."""

    cloud: Cloud
    directory: Path
    name: str
    resources: str  # the `resources:` section, YAML

    def scenario(self, label: str, checks: str) -> Path:
        path = self.directory / f"{label}.yaml"
        path.write_text(HEADER.format(name=self.name) + self.resources + "checks:\n" + checks)
        return path

    def run(self, command: str, scenario: Path, *options: str) -> Outcome:
        return self.cloud.run(command, str(scenario), *options)

    def apply(self) -> None:
        applied = self.run("apply", self.scenario("resources", "  []\n"), "--auto-approve")
        assert applied.code == 0, applied.text


@pytest.fixture(scope="module")
def cloud(local_cloud: LocalCloudServer, tmp_path_factory: pytest.TempPathFactory) -> VerifyCloud:
    return VerifyCloud(local_cloud, tmp_path_factory.mktemp("work") / "state")


def checks(*entries: str) -> str:
    """A `checks:` list from `identity ability target` lines (`can: ability`), `identity cannot ability
    target` (`cannot: ability`), each with `via uai` after the identity or not."""
    lines = []
    for entry in entries:
        words = entry.split()
        via = f', via: "${{{words[2]}}}"' if words[1] == "via" else ""
        identity, ability, target = words[0], words[-2], words[-1]
        key = "cannot" if words[-3] == "cannot" else "can"
        lines.append(f'  - {{identity: "${{{identity}}}"{via}, {key}: {ability}, target: "${{{target}}}"}}\n')
    return "".join(lines)


def vm_resources(prefix: str) -> str:
    """A Linux VM with a system-assigned identity and Reader on its group, and a second group."""
    return VM_RESOURCES.replace("PREFIX", prefix)


VM_RESOURCES = """\
resources:
  rg: {kind: resource_group, name: PREFIX-rg, location: westus}
  other: {kind: resource_group, name: PREFIX-other, location: westus}
  vnet:
    kind: virtual_network
    resource_group: ${rg.name}
    name: PREFIX-vnet
    address_space: [10.0.0.0/16]
    subnets: [{name: default, address_prefix: 10.0.0.0/24}]
  nic: {kind: network_interface, resource_group: "${rg.name}", name: PREFIX-nic, subnet: "${vnet.id}/subnets/default"}
  vm:
    kind: virtual_machine
    resource_group: ${rg.name}
    name: PREFIX-vm
    size: Standard_B1s
    os_type: Linux
    image: {publisher: Canonical, offer: ubuntu-24_04-lts, sku: server}
    admin_username: azureuser
    ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample demo@example
    network_interfaces: ["${nic.id}"]
    identity: {system_assigned: true}
  reader: {kind: role_assignment, scope: "${rg.id}", role: Reader, principal: "${vm.identity.principal_id}"}
"""
