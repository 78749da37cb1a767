from __future__ import annotations

import pytest

from provisioner.azure.clients import Clients
from provisioner.errors import CloudError
from provisioner.plan.context import RunContext
from provisioner.providers import PROVIDERS
from tests.providers import builders
from tests.providers.conftest import changed, desired
from tests.providers.lifecycle import full_lifecycle


def test_virtual_network_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    wanted = desired(
        "virtual_network",
        {
            "name": "vnet",
            "resource_group": f"rg-{unique}",
            "address_space": ["10.1.0.0/16"],
            "subnets": [{"name": "default", "address_prefix": "10.1.0.0/24"}],
        },
    )
    more = [{"name": "default", "address_prefix": "10.1.0.0/24"}, {"name": "apps", "address_prefix": "10.1.1.0/24"}]
    updated = full_lifecycle(clients, wanted, changed(wanted, subnets=more))
    assert updated.exports["location"] == builders.LOCATION
    assert sorted(subnet["name"] for subnet in updated.attributes["subnets"]) == ["apps", "default"]


def test_network_interface_lifecycle(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    first = builders.subnet(clients, f"rg-{unique}", "one")
    second = builders.subnet(clients, f"rg-{unique}", "two")
    wanted = desired("network_interface", {"name": "nic", "resource_group": f"rg-{unique}", "subnet": first})
    updated = full_lifecycle(clients, wanted, changed(wanted, subnet=second))
    assert updated.attributes["subnet"].lower() == second.lower()
    assert updated.exports["private_ip_address"].startswith("10.0.0.")


def test_missing_subnet_is_a_cloud_error_with_azures_code(clients: Clients, unique: str) -> None:
    builders.group(clients, f"rg-{unique}")
    group_id = f"/subscriptions/{clients.subscription_id}/resourceGroups/rg-{unique}"
    subnet = f"{group_id}/providers/Microsoft.Network/virtualNetworks/none/subnets/x"
    wanted = desired("network_interface", {"name": "nic", "resource_group": f"rg-{unique}", "subnet": subnet})
    with pytest.raises(CloudError) as raised:
        PROVIDERS["network_interface"].create(RunContext(clients), wanted)
    assert raised.value.status == 400
    assert raised.value.code == "InvalidResourceReference"
