"""Checks that a scope (subscription, resource group, resource) exists, with ARM's 404s.

Some scopes are objects a service keeps outside the ARM store (a Key Vault secret is a scope for role
assignments, `.../vaults/{vault}/secrets/{name}`, but lives in the vault's data plane): the service
declares a `ScopeFinder` that says whether such a scope exists (`services.SCOPE_FINDERS`), and the
cloud is given them when it is made.
"""

from __future__ import annotations

from provisioner.emulator.arm.ids import group_of, subscription_of
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.runtime import LocalCloud


def require_subscription(cloud: LocalCloud, subscription: str) -> None:
    if subscription.lower() != cloud.identity.subscription_id.lower():
        raise CloudServiceError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")


def require_group(cloud: LocalCloud, subscription: str, group: str) -> None:
    require_subscription(cloud, subscription)
    if cloud.store.get_resource(f"/subscriptions/{subscription}/resourceGroups/{group}") is None:
        raise CloudServiceError(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")


def require_scope(cloud: LocalCloud, scope: str) -> None:
    """A role assignment or definition scope: the subscription, a group or a resource that exists."""
    subscription = subscription_of(scope)
    if subscription is None:
        if scope.strip("/") == "":
            return
        raise CloudServiceError(400, "InvalidScope", f"The scope '{scope}' is not valid.")
    require_subscription(cloud, subscription)
    group = group_of(scope)
    if group is None:
        return
    require_group(cloud, subscription, group)
    if scope.strip("/").count("/") > 3 and not _exists(cloud, scope):
        raise resource_not_found(scope)


def _exists(cloud: LocalCloud, scope: str) -> bool:
    store = cloud.store
    return store.get_resource(scope) is not None or any(finder(store, scope) for finder in cloud.scope_finders)


def resource_not_found(resource_id: str) -> CloudServiceError:
    """ARM's 404 naming the resource as `Provider/type/name` and its group."""
    parts = resource_id.strip("/").split("/")
    group = parts[3] if len(parts) > 3 else ""
    typed_name = "/".join(parts[5:]) if len(parts) > 5 else resource_id
    return CloudServiceError(
        404,
        "ResourceNotFound",
        f"The Resource '{typed_name}' under resource group '{group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )
