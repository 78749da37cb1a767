"""Deleting a resource, or everything under a scope, with the side effects Azure has:
the service principals of system-assigned and user-assigned identities go with them, and
services with data of their own (blobs, secrets, database users) drop it through delete hooks."""

from __future__ import annotations

from collections.abc import Callable

from provisioner.emulator.core.store import Store, StoredResource

DeleteHook = Callable[[Store, StoredResource], None]
_DELETE_HOOKS: list[DeleteHook] = []

USER_ASSIGNED_IDENTITY_TYPE = "microsoft.managedidentity/userassignedidentities"


def on_delete(hook: DeleteHook) -> DeleteHook:
    """Register a hook run for every resource deleted (directly or by a cascade)."""
    _DELETE_HOOKS.append(hook)
    return hook


def delete_one(store: Store, resource_id: str) -> StoredResource | None:
    with store.transaction():
        deleted = store.delete_resource(resource_id)
        if deleted is not None:
            _after_delete(store, deleted)
        return deleted


def delete_resource(store: Store, resource: StoredResource) -> None:
    """`delete_one` as a tracked type's delete rule (nothing to check first)."""
    delete_one(store, resource.id)


def delete_resource_tree(store: Store, resource: StoredResource) -> None:
    """`delete_tree` as a tracked type's delete rule (the resource and everything below it)."""
    delete_tree(store, resource.id)


def delete_tree(store: Store, scope: str) -> list[StoredResource]:
    """Delete the resource at `scope` and everything whose id is below it, deepest first."""
    with store.transaction():
        doomed = sorted(store.list_resources(under=scope), key=lambda item: -len(item.id))
        for resource in doomed:
            store.delete_resource(resource.id)
            _after_delete(store, resource)
        return doomed


def _after_delete(store: Store, resource: StoredResource) -> None:
    principal = system_principal_id(resource)
    if principal:
        store.delete_directory_object(principal)
    if resource.type == USER_ASSIGNED_IDENTITY_TYPE:
        store.delete_directory_object(str(resource.body["properties"]["principalId"]))
    for hook in _DELETE_HOOKS:
        hook(store, resource)


def system_principal_id(resource: StoredResource) -> str | None:
    identity = resource.body.get("identity") or {}
    if "SystemAssigned" not in str(identity.get("type", "")):
        return None
    principal = identity.get("principalId")
    return str(principal) if principal else None
