"""network_interface: a NIC in a subnet, for a virtual machine (Microsoft.Network/networkInterfaces)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, Peers, Placed, Text
from provisioner.kinds.virtual_network import VirtualNetworkSpec
from provisioner.language.references import Template
from provisioner.language.suggestions import did_you_mean


class NetworkInterfaceSpec(Placed):
    """A network interface with a private address in one subnet."""

    subnet: Text | None = Field(
        None,
        description="The subnet's id, written `${vnet.id}/subnets/<name>`; the subnet must be declared "
        "in that network.",
    )


def _rules(spec: NetworkInterfaceSpec, peers: Peers) -> list[Issue]:
    target = peers.target(spec.subnet)
    if not isinstance(spec.subnet, Template) or target is None:
        return []
    rest = spec.subnet.parts[1:]
    suffix = rest[0] if len(rest) == 1 and isinstance(rest[0], str) else ""
    if not suffix.startswith("/subnets/"):
        return [Issue(("subnet",), "'subnet' must be a subnet id: ${vnet.id}/subnets/<name>")]
    name = suffix.removeprefix("/subnets/")
    vnet = target.spec
    names = [subnet.name for subnet in vnet.subnets] if isinstance(vnet, VirtualNetworkSpec) else [name]
    if name in names:
        return []
    message = f"virtual network '{target.name}' has no subnet '{name}'"
    return [Issue(("subnet",), message, did_you_mean(name, names))]


KIND = KindInfo(
    name="network_interface",
    spec=NetworkInterfaceSpec,
    exports={"id": str, "name": str, "private_ip_address": str},
    lookup=("name", "resource_group"),
    required=frozenset({"subnet"}),
    links={"subnet": ("virtual_network.id",)},
    rules=_rules,
    provider="provisioner.providers.network_interface:NetworkInterfaceProvider",
    sdk_modules=("azure.mgmt.network",),
)
