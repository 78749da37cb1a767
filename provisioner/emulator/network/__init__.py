"""Microsoft.Network: virtual networks with subnets and network interfaces, as much as a VM needs."""
