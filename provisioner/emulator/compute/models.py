"""Virtual machines: what a create needs (a size, an image, an OS profile, a NIC), and the shapes."""

from __future__ import annotations

import re
import uuid
from typing import Any

from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import Store
from provisioner.emulator.network.models import NIC_TYPE

VM_TYPE = "Microsoft.Compute/virtualMachines"
# Azure caps user-assigned identity names on VMs (longer names fail assignment).
MAX_VM_USER_ASSIGNED_NAME = 24
_PASSWORD_CLASSES = (r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]")


def _missing(parameter: str) -> CloudServiceError:
    return CloudServiceError(
        400,
        "InvalidParameter",
        f"Required parameter '{parameter}' is missing (null).",
        extra={"target": parameter},
    )


def check_vm_request(request: dict[str, Any], store: Store, vm_id: str) -> list[str]:
    """Validate a create/replace body; the NIC ids it attaches."""
    properties = request.get("properties") or {}
    if not (properties.get("hardwareProfile") or {}).get("vmSize"):
        raise _missing("hardwareProfile.vmSize")
    if not properties.get("storageProfile"):
        raise _missing("storageProfile")
    _check_os_profile(properties.get("osProfile"))
    interfaces = (properties.get("networkProfile") or {}).get("networkInterfaces") or []
    if not interfaces:
        raise _missing("networkProfile")
    nic_ids = [str(item.get("id", "")) for item in interfaces]
    for nic_id in nic_ids:
        _check_nic(store, nic_id, vm_id)
    return nic_ids


def _check_os_profile(os_profile: dict[str, Any] | None) -> None:
    if not os_profile:
        raise _missing("osProfile")
    if not os_profile.get("adminUsername"):
        raise _missing("osProfile.adminUsername")
    password = os_profile.get("adminPassword")
    linux = os_profile.get("linuxConfiguration") or {}
    if password is None and not (linux.get("ssh") or {}).get("publicKeys"):
        raise _missing("osProfile.adminPassword")
    if password is not None:
        classes = sum(1 for pattern in _PASSWORD_CLASSES if re.search(pattern, str(password)))
        if not 12 <= len(str(password)) <= 123 or classes < 3:
            raise CloudServiceError(
                400,
                "InvalidParameter",
                "The supplied password must be between 12-123 characters long and must satisfy at least 3 of "
                "password complexity requirements from the following: 1) Contains an uppercase character "
                "2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special character "
                "5) Control characters are not allowed",
                extra={"target": "adminPassword"},
            )


def _check_nic(store: Store, nic_id: str, vm_id: str) -> None:
    nic = store.get_resource(nic_id) if nic_id else None
    if nic is None or nic.type != NIC_TYPE.lower():
        raise CloudServiceError(
            400,
            "InvalidParameter",
            f"Network interface {nic_id} referenced by the virtual machine was not found.",
            extra={"target": "networkProfile.networkInterfaces"},
        )
    attached = (nic.body["properties"].get("virtualMachine") or {}).get("id")
    if attached and attached.lower() != vm_id.lower():
        raise CloudServiceError(
            400,
            "NicInUse",
            f"Network interface {nic.id} is already used by virtual machine {attached}.",
        )


def vm_properties(request: dict[str, Any], previous: dict[str, Any] | None, created: str) -> dict[str, Any]:
    """The stored properties: the request's, without the admin password (Azure never returns it)."""
    properties = dict(request.get("properties") or {})
    os_profile = dict(properties.get("osProfile") or {})
    os_profile.pop("adminPassword", None)
    os_profile.setdefault("computerName", "")
    properties["osProfile"] = os_profile
    properties["vmId"] = previous["vmId"] if previous else str(uuid.uuid4())
    properties["timeCreated"] = previous["timeCreated"] if previous else created
    properties["provisioningState"] = "Succeeded"
    return properties


def attach_nics(store: Store, vm_id: str, nic_ids: list[str], previous_ids: list[str]) -> None:
    """Point NICs at the VM (and release the ones it no longer uses)."""
    wanted = {nic_id.lower() for nic_id in nic_ids}
    for nic_id in previous_ids:
        if nic_id.lower() not in wanted:
            _set_nic_owner(store, nic_id, None)
    for nic_id in nic_ids:
        _set_nic_owner(store, nic_id, vm_id)


def _set_nic_owner(store: Store, nic_id: str, vm_id: str | None) -> None:
    nic = store.get_resource(nic_id)
    if nic is None:
        return
    body = dict(nic.body)
    properties = dict(body["properties"])
    if vm_id is None:
        properties.pop("virtualMachine", None)
    else:
        properties["virtualMachine"] = {"id": vm_id}
    body["properties"] = properties
    store.put_resource(nic.id, nic.type, nic.parent, body)


def nic_ids_of(body: dict[str, Any]) -> list[str]:
    interfaces = (body.get("properties", {}).get("networkProfile") or {}).get("networkInterfaces") or []
    return [str(item["id"]) for item in interfaces]
