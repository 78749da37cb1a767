"""Who may do what: role assignments at a scope or above, through group membership, evaluated with
the role definitions' actions / notActions / dataActions / notDataActions."""

from __future__ import annotations

from provisioner.emulator.arm.ids import scopes_at_or_above
from provisioner.emulator.auth.builtin_roles import builtin_role
from provisioner.emulator.auth.rbac import Permission, allows
from provisioner.emulator.store import Store, StoredResource

ROLE_ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments"


def role_guid(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


def assignments_covering(store: Store, scope: str) -> list[StoredResource]:
    """Role assignments at `scope` or any scope above it (what a list with atScope() omits below)."""
    found: list[StoredResource] = []
    for candidate in scopes_at_or_above(scope):
        found.extend(store.list_resources(parent=candidate, resource_type=ROLE_ASSIGNMENT_TYPE))
    return found


def permissions_of(store: Store, object_id: str, scope: str) -> list[Permission]:
    """The permission blocks granted to the object (directly or through its groups) at `scope`."""
    principals = {object_id.lower()} | {group.lower() for group in store.groups_of(object_id.lower())}
    permissions: list[Permission] = []
    for assignment in assignments_covering(store, scope):
        properties = assignment.body["properties"]
        if str(properties["principalId"]).lower() not in principals:
            continue
        role = builtin_role(role_guid(properties["roleDefinitionId"]))
        if role is not None:
            permissions.extend(role.permissions)
    return permissions


def is_allowed(store: Store, object_id: str, operation: str, scope: str, *, data_action: bool = False) -> bool:
    return allows(permissions_of(store, object_id, scope), operation, data_action=data_action)
