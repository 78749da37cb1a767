"""virtual_machine: a VM with managed identities (Microsoft.Compute/virtualMachines)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from provisioner.kinds.base import (
    IDENTITY_EXPORTS,
    HostType,
    Issue,
    KindInfo,
    ManagedIdentity,
    Model,
    Peers,
    Placed,
    Secret,
    Text,
    identity_absent_exports,
)

# Azure refuses these admin user names (VM create fails with InvalidParameter).
RESERVED_USERNAMES = frozenset(
    (
        "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1",
        "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest",
        "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2",
        "test3", "user4", "user5",
    )
)  # fmt: skip


# Azure's limits on a VM's computer name (the OS host name), which provision derives from its name.
WINDOWS_COMPUTER_NAME = 15
LINUX_COMPUTER_NAME = 64


class ImageReference(Model):
    publisher: str = Field(description="e.g. `MicrosoftWindowsServer`.")
    offer: str = Field(description="e.g. `WindowsServer`.")
    sku: str = Field(description="e.g. `2022-datacenter-azure-edition`.")
    version: str = Field("latest", description="The image's version.")


class VirtualMachineSpec(Placed):
    """A virtual machine; its NICs are network_interface resources.

    A VM lives in its network through `network_interface` resources (explicit, small kinds rather
    than a NIC hidden in the VM).
    """

    name: str = Field(description="The VM's name: Windows names at most 15 characters, Linux 64.")
    size: str | None = Field(None, description="VM size, e.g. `Standard_B2s`.")
    os_type: Literal["Windows", "Linux"] | None = Field(None, description="The image's operating system.")
    image: ImageReference | None = Field(None, description="The marketplace image it boots.")
    admin_username: str | None = Field(
        None, description="Not a name Azure reserves (`admin`, `administrator`, `root`, ...)."
    )
    admin_password: Secret | None = Field(None, description="Required for Windows; for Linux this or `ssh_public_key`.")
    ssh_public_key: str | None = Field(
        None, description="Linux only: an OpenSSH public key (a literal public key is fine)."
    )
    network_interfaces: list[Text] = Field([], description="As `${nic.id}`; the first is primary.")
    identity: ManagedIdentity = Field(ManagedIdentity(), description="The VM's managed identities; default none.")

    @property
    def computer_name(self) -> str:
        """The OS host name: the VM's name, cut to what its OS allows."""
        return self.name[: WINDOWS_COMPUTER_NAME if self.os_type == "Windows" else LINUX_COMPUTER_NAME]


def _rules(spec: VirtualMachineSpec, peers: Peers) -> list[Issue]:
    issues: list[Issue] = []
    if spec.admin_username and spec.admin_username.lower() in RESERVED_USERNAMES:
        issues.append(Issue(("admin_username",), f"Azure does not allow '{spec.admin_username}' here"))
    if spec.os_type == "Windows":
        if len(spec.name) > WINDOWS_COMPUTER_NAME:
            message = f"Windows VM name '{spec.name}' is longer than {WINDOWS_COMPUTER_NAME} characters"
            issues.append(Issue(("name",), message))
        if spec.admin_password is None:
            issues.append(Issue((), "a Windows VM needs 'admin_password'"))
        if spec.ssh_public_key is not None:
            issues.append(Issue(("ssh_public_key",), "a Windows VM takes 'admin_password', not a key"))
    elif spec.os_type == "Linux":
        if len(spec.name) > LINUX_COMPUTER_NAME:
            message = f"Linux VM name '{spec.name}' is longer than {LINUX_COMPUTER_NAME} characters"
            issues.append(Issue(("name",), message))
        if spec.admin_password is None and spec.ssh_public_key is None:
            issues.append(Issue((), "a Linux VM needs 'ssh_public_key' or 'admin_password'"))
    return issues


KIND = KindInfo(
    step_cost=5.0,
    name="virtual_machine",
    spec=VirtualMachineSpec,
    exports={"id": str, "name": str, "location": str, **IDENTITY_EXPORTS},
    lookup=("name", "resource_group"),
    required=frozenset({"size", "os_type", "image", "admin_username", "network_interfaces"}),
    links={
        "network_interfaces": ("network_interface.id",),
        "identity.user_assigned": ("user_assigned_identity.id",),
    },
    secrets=frozenset({"admin_password"}),
    principal_exports={"identity.principal_id": "ServicePrincipal"},
    rules=_rules,
    absent_exports=identity_absent_exports,
    provider="provisioner.providers.virtual_machine:VirtualMachineProvider",
    sdk_modules=("azure.mgmt.compute",),
    host=HostType.VIRTUAL_MACHINE,
)
