"""Who may do what: role assignments at a scope or above, through group membership, evaluated with
the role definitions' actions / notActions / dataActions / notDataActions.

An assignment counts only from the time it takes effect (the `rbac_delay` fault: Azure RBAC takes a
while to apply a new one). That time is kept in a table of its own, so no ARM response shows it.
"""

from __future__ import annotations

import time

from provisioner.emulator.arm.ids import scopes_at_or_above
from provisioner.emulator.auth.builtin_roles import builtin_role
from provisioner.emulator.auth.rbac import Permission, allows
from provisioner.emulator.core.store import Store, StoredResource, resource_key

ROLE_ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments"
_EFFECTIVE_SCHEMA = """
CREATE TABLE IF NOT EXISTS role_assignment_effective (
    key TEXT PRIMARY KEY,
    effective_at REAL NOT NULL
)
"""


def role_guid(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


def assignments_covering(store: Store, scope: str) -> list[StoredResource]:
    """Role assignments at `scope` or any scope above it (what a list with atScope() omits below)."""
    found: list[StoredResource] = []
    for candidate in scopes_at_or_above(scope):
        found.extend(store.list_resources(parent=candidate, resource_type=ROLE_ASSIGNMENT_TYPE))
    return found


def take_effect_after(store: Store, assignment_id: str, seconds: float) -> None:
    """Record when a new assignment starts to count (replacing what an earlier one of that id left)."""
    store.add_schema(_EFFECTIVE_SCHEMA)
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO role_assignment_effective (key, effective_at) VALUES (?, ?)",
            (resource_key(assignment_id), time.time() + seconds),
        )


def _pending(store: Store) -> set[str]:
    """Keys of the assignments that do not count yet."""
    store.add_schema(_EFFECTIVE_SCHEMA)
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT key FROM role_assignment_effective WHERE effective_at > ?", (time.time(),)
        ).fetchall()
    return {row[0] for row in rows}


def _principals(store: Store, object_id: str) -> set[str]:
    return {object_id.lower()} | {group.lower() for group in store.groups_of(object_id.lower())}


def _effective_for(store: Store, object_id: str, assignments: list[StoredResource]) -> list[StoredResource]:
    """The assignments that name the object (directly or through its groups) and already take effect."""
    principals = _principals(store, object_id)
    pending = _pending(store)
    return [
        assignment
        for assignment in assignments
        if str(assignment.body["properties"]["principalId"]).lower() in principals
        and resource_key(assignment.id) not in pending
    ]


def has_assignment_within(store: Store, object_id: str, scope: str) -> bool:
    """Whether the object holds a role assignment at `scope`, above it or anywhere below it: what makes
    ARM list a subscription to a principal (Reader on one resource group is enough to see it)."""
    below = store.list_resources(under=scope, resource_type=ROLE_ASSIGNMENT_TYPE)
    return bool(_effective_for(store, object_id, assignments_covering(store, scope) + below))


def permissions_of(store: Store, object_id: str, scope: str) -> list[Permission]:
    """The permission blocks granted to the object (directly or through its groups) at `scope`."""
    permissions: list[Permission] = []
    for assignment in _effective_for(store, object_id, assignments_covering(store, scope)):
        properties = assignment.body["properties"]
        role = builtin_role(role_guid(properties["roleDefinitionId"]))
        if role is not None:
            permissions.extend(role.permissions)
    return permissions


def is_allowed(store: Store, object_id: str, operation: str, scope: str, *, data_action: bool = False) -> bool:
    return allows(permissions_of(store, object_id, scope), operation, data_action=data_action)
