"""virtual_machine through azure-mgmt-compute: PUT to create, minimal PATCH for what changed.

The admin password comes from `Desired.secrets` (Azure never returns it, so it is not compared).
On an `existing` VM the scenario may enable its system identity or attach user-assigned ones;
`restore` takes that back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.errors import ConfigurationError
from provisioner.kinds.virtual_machine import VirtualMachineSpec
from provisioner.providers import identity
from provisioner.providers.arm import (
    ArmProvider,
    delete_if_present,
    get_or_none,
    group_and_name,
    location_for,
    merged_tags,
    observed,
    parse_id,
    rest,
    tracked_attributes,
)
from provisioner.providers.base import AttributeChange, Desired, Observed, ProviderContext
from provisioner.providers.identity import IdentityHolder


class VirtualMachineProvider(IdentityHolder[VirtualMachineSpec]):
    managed = (
        *ArmProvider.managed, "size", "identity", "network_interfaces", "os_type", "image", "admin_username"
    )  # fmt: skip
    replace_on = frozenset({"location", "os_type", "image", "admin_username"})

    def fetch(self, ctx: ProviderContext, group: str, name: str) -> Any:
        return ctx.clients.compute.virtual_machines.get(group, name)

    def patch(self, ctx: ProviderContext, group: str, name: str, body: dict[str, Any]) -> Any:
        return ctx.clients.compute.virtual_machines.begin_update(group, name, body).result()

    def read(self, ctx: ProviderContext, desired: Desired[VirtualMachineSpec]) -> Observed | None:
        found = get_or_none(lambda: self.fetch(ctx, *group_and_name(desired)))
        return None if found is None else _observe(rest(found))

    def create(self, ctx: ProviderContext, desired: Desired[VirtualMachineSpec]) -> Observed:
        spec = desired.spec
        body: dict[str, Any] = {
            "location": location_for(ctx, desired),
            "tags": merged_tags(desired),
            "properties": {
                "hardwareProfile": {"vmSize": spec.size},
                "storageProfile": _storage_profile(desired),
                "osProfile": _os_profile(spec, desired.secrets.get("admin_password")),
                "networkProfile": _network_profile([str(nic) for nic in spec.network_interfaces]),
            },
        }
        wanted_identity = identity.identity_block(identity.requested(spec.identity))
        if wanted_identity["type"] != "None":
            body["identity"] = wanted_identity
        machines = ctx.clients.compute.virtual_machines
        poller = machines.begin_create_or_update(*group_and_name(desired), body)
        return _observe(rest(poller.result()))

    def update(
        self,
        ctx: ProviderContext,
        desired: Desired[VirtualMachineSpec],
        observed: Observed,
        changes: list[AttributeChange],
    ) -> Observed:
        patch: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for change in changes:
            if change.path == "tags":
                patch["tags"] = merged_tags(desired, observed.attributes.get("tags"))
            elif change.path == "identity":
                patch["identity"] = identity.identity_block(change.after, observed.attributes.get("identity"))
            elif change.path == "size":
                properties["hardwareProfile"] = {"vmSize": change.after}
            elif change.path == "network_interfaces":
                properties["networkProfile"] = _network_profile(change.after)
        if properties:
            patch["properties"] = properties
        return _observe(rest(self.patch(ctx, *group_and_name(desired), patch)))

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        parts = parse_id(azure_id)
        machines = ctx.clients.compute.virtual_machines
        delete_if_present(lambda: machines.begin_delete(parts["resource_group"], parts["name"]))


def _storage_profile(desired: Desired[VirtualMachineSpec]) -> dict[str, Any]:
    image = desired.spec.image
    if image is None:  # the loader requires it of a created VM
        raise ConfigurationError(f"virtual_machine '{desired.address}' has no image to create from")
    return {
        "imageReference": {
            "publisher": image.publisher,
            "offer": image.offer,
            "sku": image.sku,
            "version": image.version,
        },
        "osDisk": {
            "createOption": "FromImage",
            "osType": desired.spec.os_type,
            "deleteOption": "Delete",  # the OS disk goes with the VM, so destroy leaves nothing
            "managedDisk": {"storageAccountType": "Standard_LRS"},
        },
    }


def _os_profile(spec: VirtualMachineSpec, password: str | None) -> dict[str, Any]:
    profile: dict[str, Any] = {"computerName": spec.computer_name, "adminUsername": spec.admin_username}
    if password is not None:
        profile["adminPassword"] = password
    if spec.os_type == "Windows":
        profile["windowsConfiguration"] = {"provisionVMAgent": True}
        return profile
    linux: dict[str, Any] = {"disablePasswordAuthentication": password is None}
    if spec.ssh_public_key:
        path = f"/home/{spec.admin_username}/.ssh/authorized_keys"
        linux["ssh"] = {"publicKeys": [{"path": path, "keyData": spec.ssh_public_key}]}
    profile["linuxConfiguration"] = linux
    return profile


def _network_profile(nic_ids: list[str]) -> dict[str, Any]:
    return {
        "networkInterfaces": [
            {"id": nic_id, "properties": {"primary": index == 0}} for index, nic_id in enumerate(nic_ids)
        ]
    }


def _observe(body: dict[str, Any]) -> Observed:
    properties = body.get("properties") or {}
    storage = properties.get("storageProfile") or {}
    os_profile = properties.get("osProfile") or {}
    image = storage.get("imageReference") or {}
    os_type = (storage.get("osDisk") or {}).get("osType")
    if os_type is None:
        os_type = "Linux" if "linuxConfiguration" in os_profile else "Windows"
    attributes = {
        "name": body["name"],
        **tracked_attributes(body),
        "size": (properties.get("hardwareProfile") or {}).get("vmSize"),
        "os_type": os_type,
        "image": {key: image.get(key) for key in ("publisher", "offer", "sku", "version")},
        "admin_username": os_profile.get("adminUsername"),
        "network_interfaces": [
            nic["id"] for nic in (properties.get("networkProfile") or {}).get("networkInterfaces") or []
        ],
        "identity": identity.identity_of(body),
    }
    exports = {
        "id": body["id"],
        "name": body["name"],
        "location": attributes["location"],
        **identity.identity_exports(body),
    }
    return observed(body, attributes, exports)
