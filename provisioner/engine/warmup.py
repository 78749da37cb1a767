"""Importing the SDK packages a run will need in the background, while it loads and plans.

The management SDKs take about a second each to import; imported lazily by the first step that
builds a client, that second lands on the critical path of the apply. A warm-up is only an
optimisation: a kind missing here costs time, never correctness.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable

SDK_MODULES_BY_KIND: dict[str, tuple[str, ...]] = {
    "resource_group": ("azure.mgmt.resource.resources",),
    "virtual_network": ("azure.mgmt.network",),
    "network_interface": ("azure.mgmt.network",),
    "virtual_machine": ("azure.mgmt.compute",),
    "user_assigned_identity": ("azure.mgmt.msi",),
    "role_assignment": ("azure.mgmt.authorization",),
    "entra_group": ("msgraph",),
    "entra_user": ("msgraph",),
    "group_member": ("msgraph",),
    "storage_account": ("azure.mgmt.storage",),
    "blob_container": ("azure.mgmt.storage",),
    "blob": ("azure.mgmt.storage", "azure.storage.blob"),
    "key_vault": ("azure.mgmt.keyvault",),
    "key_vault_secret": ("azure.keyvault.secrets",),
    "key_vault_access_policy": ("azure.mgmt.keyvault",),
    "sql_server": ("azure.mgmt.sql",),
    "sql_database": ("azure.mgmt.sql",),
    "sql_entra_admin": ("azure.mgmt.sql",),
    "app_service_plan": ("azure.mgmt.web",),
    "web_app": ("azure.mgmt.web",),
}


def warm_up(kinds: Iterable[str]) -> threading.Thread:
    """Start importing the SDK packages of `kinds` on a daemon thread; join it to wait."""
    modules = sorted({module for kind in kinds for module in SDK_MODULES_BY_KIND.get(kind, ())})
    thread = threading.Thread(target=_import_all, args=(modules,), name="sdk-warm-up", daemon=True)
    thread.start()
    return thread


def _import_all(modules: list[str]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:  # the step that needs it will report it
            continue
