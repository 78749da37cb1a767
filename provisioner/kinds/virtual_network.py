"""virtual_network: a virtual network and its subnets (Microsoft.Network/virtualNetworks)."""

from __future__ import annotations

import ipaddress

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, Model, Peers, Placed

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Subnet(Model):
    name: str = Field(description="The subnet's name, unique in the network.")
    address_prefix: str = Field(description="CIDR inside the address space, e.g. `10.0.0.0/24`.")


class VirtualNetworkSpec(Placed):
    """A virtual network; a network_interface names one of its subnets."""

    address_space: list[str] = Field([], description="CIDR blocks, e.g. `[10.0.0.0/16]`.")
    subnets: list[Subnet] = Field(
        [], description="The subnets, as `{name, address_prefix}`; a NIC names one: `${vnet.id}/subnets/<name>`."
    )


def _network(text: str, path: tuple[str | int, ...], issues: list[Issue]) -> Network | None:
    try:
        return ipaddress.ip_network(text)
    except ValueError as exc:
        issues.append(Issue(path, f"invalid address prefix '{text}': {exc}"))
        return None


def _rules(spec: VirtualNetworkSpec, peers: Peers) -> list[Issue]:
    issues: list[Issue] = []
    spaces = [_network(cidr, ("address_space", i), issues) for i, cidr in enumerate(spec.address_space)]
    seen: set[str] = set()
    for index, subnet in enumerate(spec.subnets):
        if subnet.name in seen:
            issues.append(Issue(("subnets", index, "name"), f"duplicate subnet name '{subnet.name}'"))
        seen.add(subnet.name)
        prefix = _network(subnet.address_prefix, ("subnets", index, "address_prefix"), issues)
        if prefix and not any(space and prefix.subnet_of(space) for space in spaces):  # type: ignore[arg-type]
            message = f"subnet '{subnet.name}' ({prefix}) is outside the address space"
            issues.append(Issue(("subnets", index, "address_prefix"), message))
    return issues


KIND = KindInfo(
    name="virtual_network",
    spec=VirtualNetworkSpec,
    exports={"id": str, "name": str, "location": str},
    lookup=("name", "resource_group"),
    required=frozenset({"address_space", "subnets"}),
    rules=_rules,
    provider="provisioner.providers.virtual_network:VirtualNetworkProvider",
    sdk_modules=("azure.mgmt.network",),
)
