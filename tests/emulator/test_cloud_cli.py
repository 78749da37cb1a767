"""`provision cloud ...`: a standalone local cloud that other processes reach with `provision cloud env`."""

from __future__ import annotations

import json
import shlex
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provisioner.emulator.server import SERVER_FILE, LocalCloudServer
from provisioner.state import DeploymentState, ResourceState, StateStore
from tests.emulator import builders, clients, helpers_web

PROVISION = str(Path(sys.executable).with_name("provision"))
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"

# Run in a separate process after `eval "$(provision cloud env ...)"`: only the environment says
# where the cloud is and which CA to trust. The client-secret credential needs one flag, because
# MSAL sends instance discovery for an unknown authority host to login.microsoftonline.com.
OPERATOR_PROGRAM = textwrap.dedent(
    """
    import json, os, sys
    from azure.identity import EnvironmentCredential
    from azure.mgmt.resource.resources import ResourceManagementClient

    credential = EnvironmentCredential(disable_instance_discovery=True)
    client = ResourceManagementClient(
        credential, os.environ["AZURE_SUBSCRIPTION_ID"], base_url=os.environ["AZURE_RESOURCE_MANAGER_ENDPOINT"]
    )
    for name in sys.argv[1:]:
        client.resource_groups.create_or_update(name, {"location": "westus"})
    print(json.dumps(sorted(group.name for group in client.resource_groups.list())))
    """
)
VM_PROGRAM = textwrap.dedent(
    """
    import json, os, sys
    from azure.identity import ManagedIdentityCredential
    from azure.mgmt.resource.resources import ResourceManagementClient

    client = ResourceManagementClient(
        ManagedIdentityCredential(),
        os.environ["AZURE_SUBSCRIPTION_ID"],
        base_url=os.environ["AZURE_RESOURCE_MANAGER_ENDPOINT"],
    )
    group = client.resource_groups.get(sys.argv[1])
    print(json.dumps({"group": group.name, "client": os.environ.get("AZURE_CLIENT_ID")}))
    """
)


def provision(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROVISION, *arguments], capture_output=True, text=True, check=False, timeout=120)


def run_after_env(env_arguments: list[str], program: str, *program_arguments: str) -> Any:
    """Source `provision cloud env ...` in a shell, then run `program` in a new Python process."""
    env_command = shlex.join([PROVISION, "cloud", "env", *env_arguments])
    python = shlex.join([sys.executable, "-c", program, *program_arguments])
    script = f'set -e; export AZURE_CLIENT_ID=left-over; eval "$({env_command})"; exec {python}'
    finished = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def exports(output: str) -> dict[str, str]:
    variables = {}
    for line in output.splitlines():
        words = shlex.split(line)
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            variables[name] = value
    return variables


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, str]]:
    """`provision cloud start` in its own process: (process, data dir, URL)."""
    data_dir = tmp_path / "cloud"
    process = subprocess.Popen(
        [PROVISION, "cloud", "start", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    assert first_line.startswith("Local cloud listening on https://127.0.0.1:"), first_line
    yield process, data_dir, first_line.split()[-1]
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.mark.parametrize("command", ["env", "status", "reset"])
def test_commands_need_a_running_cloud(tmp_path: Path, command: str) -> None:
    finished = provision("cloud", command, "--data-dir", str(tmp_path))
    assert finished.returncode == 1
    assert "provision cloud start" in finished.stderr


def test_standalone_cloud_serves_a_separate_process(standalone: tuple[subprocess.Popen[str], Path, str]) -> None:
    process, data_dir, url = standalone
    assert process.stdout is not None
    process.stdout.readline()  # CA certificate: ...
    hint = process.stdout.readline()
    assert hint == f'In another shell: eval "$(provision cloud env --data-dir {data_dir})"\n'
    variables = exports(provision("cloud", "env", "--data-dir", str(data_dir)).stdout)
    assert variables["AZURE_AUTHORITY_HOST"] == variables["AZURE_RESOURCE_MANAGER_ENDPOINT"] == url
    assert "made-elsewhere" in run_after_env(["--data-dir", str(data_dir)], OPERATOR_PROGRAM, "made-elsewhere")

    status = provision("cloud", "status", "--data-dir", str(data_dir))
    assert f"url: {url}" in status.stdout
    assert f"tenant_id: {variables['AZURE_TENANT_ID']}" in status.stdout
    assert provision("cloud", "reset", "--data-dir", str(data_dir)).returncode == 0
    assert "made-elsewhere" not in run_after_env(["--data-dir", str(data_dir)], OPERATOR_PROGRAM)

    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    assert "Local cloud stopped." in stdout
    assert not (data_dir / SERVER_FILE).exists()


def test_start_refuses_a_second_cloud_on_the_same_data_dir(
    standalone: tuple[subprocess.Popen[str], Path, str],
) -> None:
    _, data_dir, url = standalone
    finished = provision("cloud", "start", "--data-dir", str(data_dir))
    assert finished.returncode == 1
    assert f"already running at {url}" in finished.stderr


def test_start_on_a_busy_port_fails_cleanly(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        finished = provision("cloud", "start", "--data-dir", str(tmp_path), "--port", str(busy.getsockname()[1]))
    assert finished.returncode == 1
    assert "Address already in use" in finished.stderr


def test_env_prints_the_operator_and_the_endpoints(local_cloud: LocalCloudServer) -> None:
    identity = local_cloud.cloud.identity
    finished = provision("cloud", "env", "--data-dir", str(local_cloud.data_dir))
    assert finished.returncode == 0, finished.stderr
    assert exports(finished.stdout) == {
        "AZURE_AUTHORITY_HOST": local_cloud.url,
        "AZURE_TENANT_ID": identity.tenant_id,
        "AZURE_CLIENT_ID": identity.operator_client_id,
        "AZURE_CLIENT_SECRET": identity.operator_secret,
        "AZURE_SUBSCRIPTION_ID": identity.subscription_id,
        "REQUESTS_CA_BUNDLE": str(local_cloud.ca_cert.resolve()),
        "SSL_CERT_FILE": str(local_cloud.ca_cert.resolve()),
        "AZURE_RESOURCE_MANAGER_ENDPOINT": local_cloud.url,
        "MICROSOFT_GRAPH_ENDPOINT": local_cloud.url,
    }


def test_env_for_az_isolates_its_config_and_registers_this_cloud(local_cloud: LocalCloudServer) -> None:
    finished = provision("cloud", "env", "--az", "--data-dir", str(local_cloud.data_dir))
    assert finished.returncode == 0, finished.stderr
    variables = exports(finished.stdout)
    port = local_cloud.url.rsplit(":", 1)[1]
    assert variables["AZURE_CONFIG_DIR"] == str(local_cloud.data_dir.resolve() / f"az-{port}")
    assert variables["AZURE_CORE_INSTANCE_DISCOVERY"] == "false"
    commands = [shlex.split(line) for line in finished.stdout.splitlines() if line.startswith("az ")]
    register = next(words for words in commands if "register" in words)
    assert register[register.index("--endpoint-resource-manager") + 1] == local_cloud.url
    assert commands[1][:5] == ["az", "cloud", "set", "-n", "ProvisionLocal"]
    assert commands[-1][:3] == ["az", "login", "--service-principal"]
    # az's login reads the secret from AZURE_CLIENT_SECRET: it is printed once, in that export.
    assert finished.stdout.count(local_cloud.cloud.identity.operator_secret) == 1


def test_env_for_az_inside_an_unknown_vm_prints_nothing(local_cloud: LocalCloudServer, tmp_path: Path) -> None:
    finished = provision(
        "cloud",
        "env",
        "--az",
        "--vm",
        "alice:vm",
        "--state-dir",
        str(tmp_path),
        "--data-dir",
        str(local_cloud.data_dir),
    )
    assert finished.returncode == 1
    assert finished.stdout == ""


def test_env_for_a_vm_makes_a_process_act_inside_it(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    subnet = builders.group_with_subnet(local_cloud, operator_credential, "cli-vm-rg")
    vm = builders.vm(local_cloud, operator_credential, "cli-vm-rg", "cli-vm", subnet, {"type": "SystemAssigned"})
    group_id = f"/subscriptions/{local_cloud.cloud.identity.subscription_id}/resourceGroups/cli-vm-rg"
    builders.assign(local_cloud, operator_credential, group_id, READER, vm.identity.principal_id)
    env_arguments = ["--data-dir", str(local_cloud.data_dir), "--vm", str(vm.id)]
    variables = exports(provision("cloud", "env", *env_arguments).stdout)
    assert variables["AZURE_POD_IDENTITY_AUTHORITY_HOST"].startswith(f"{local_cloud.url}/")
    assert "AZURE_CLIENT_SECRET" not in variables
    assert run_after_env(env_arguments, VM_PROGRAM, "cli-vm-rg") == {"group": "cli-vm-rg", "client": None}


def test_env_for_an_unknown_vm_fails_and_prints_nothing_to_eval(local_cloud: LocalCloudServer) -> None:
    subscription = local_cloud.cloud.identity.subscription_id
    vm_id = f"/subscriptions/{subscription}/resourceGroups/none/providers/Microsoft.Compute/virtualMachines/none"
    finished = provision("cloud", "env", "--data-dir", str(local_cloud.data_dir), "--vm", vm_id)
    assert finished.returncode == 1
    assert "ResourceNotFound" in finished.stderr
    assert finished.stdout == ""


def test_a_failing_env_leaves_the_shells_credentials_alone(local_cloud: LocalCloudServer, tmp_path: Path) -> None:
    arguments = ["--data-dir", str(local_cloud.data_dir), "--state-dir", str(tmp_path), "--vm", "nobody:vm"]
    env_command = shlex.join([PROVISION, "cloud", "env", *arguments])
    keep = "export AZURE_CLIENT_ID=mine AZURE_CLIENT_SECRET=kept"
    script = f'{keep}; eval "$({env_command})"; echo "$AZURE_CLIENT_ID/$AZURE_CLIENT_SECRET"'
    finished = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert finished.stdout.strip() == "mine/kept"
    assert "No deployment 'nobody'" in finished.stderr


@pytest.mark.parametrize("reference", ["alice-vm", "alice:", ":vm"])
def test_env_refuses_a_reference_that_is_neither_an_id_nor_deployment_and_address(
    local_cloud: LocalCloudServer, reference: str
) -> None:
    finished = provision("cloud", "env", "--data-dir", str(local_cloud.data_dir), "--vm", reference)
    assert finished.returncode == 2
    assert "DEPLOYMENT:ADDRESS" in finished.stderr
    assert finished.stdout == ""


def _deployment(state_dir: Path, name: str, **hosts: tuple[str, str]) -> None:
    """A deployment's state as `provision apply` leaves it, with these (kind, ARM id) at these addresses."""
    resources = {address: ResourceState(address, kind, azure_id) for address, (kind, azure_id) in hosts.items()}
    StateStore(state_dir).save(DeploymentState(name, resources=resources))


def test_env_finds_a_vm_and_a_web_app_by_deployment_and_address(
    local_cloud: LocalCloudServer, operator_credential: Any, tmp_path: Path
) -> None:
    subnet = builders.group_with_subnet(local_cloud, operator_credential, "cli-ref-rg")
    vm = builders.vm(local_cloud, operator_credential, "cli-ref-rg", "alice-vm", subnet, {"type": "SystemAssigned"})
    plan = helpers_web.plan(local_cloud, operator_credential, "cli-ref-rg", "alice-plan")
    site = helpers_web.site(
        local_cloud, operator_credential, "cli-ref-rg", "alice-app", plan.id, {"type": "SystemAssigned"}
    )
    _deployment(tmp_path, "alice", vm=("virtual_machine", vm.id), web=("web_app", site.id))
    common = ["--data-dir", str(local_cloud.data_dir), "--state-dir", str(tmp_path)]

    by_address = provision("cloud", "env", *common, "--vm", "alice:vm")
    assert by_address.returncode == 0, by_address.stderr
    assert exports(by_address.stdout) == exports(provision("cloud", "env", *common, "--vm", str(vm.id)).stdout)
    assert exports(by_address.stdout)["AZURE_POD_IDENTITY_AUTHORITY_HOST"].startswith(f"{local_cloud.url}/_imds/")

    web = exports(provision("cloud", "env", *common, "--web-app", "alice:web").stdout)
    identity_variables = {name: web[name] for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER")}
    assert identity_variables == helpers_web.identity_environment(local_cloud, site.id)
    assert "AZURE_CLIENT_SECRET" not in web

    wrong_kind = provision("cloud", "env", *common, "--vm", "alice:web")
    assert wrong_kind.returncode == 1
    assert "Deployment 'alice' has no virtual machine at 'web' (virtual machines: alice:vm)" in wrong_kind.stderr
    assert wrong_kind.stdout == ""


def test_status_lists_what_the_cloud_holds(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(
        "listed-rg", {"location": "westus"}
    )
    finished = provision("cloud", "status", "--data-dir", str(local_cloud.data_dir))
    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    groups = lines.index("  Microsoft.Resources/resourceGroups")
    assert "    listed-rg" in lines[groups:]
    assert "  Microsoft.Authorization/roleAssignments" in lines
    users = lines.index("  user")
    assert any(line.startswith("    ") for line in lines[users + 1 : users + 2])
    assert "  servicePrincipal" in lines and "    provision-operator" in lines
    assert local_cloud.cloud.identity.control_key not in finished.stdout
    assert local_cloud.cloud.identity.operator_secret not in finished.stdout
