"""ARM resource ids: building them and walking the scopes above one."""

from __future__ import annotations


def subscription_id(subscription: str) -> str:
    return f"/subscriptions/{subscription}"


def group_id(subscription: str, group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}"


def resource_id(subscription: str, group: str, provider: str, *type_and_names: str) -> str:
    """`resource_id(sub, rg, "Microsoft.Compute", "virtualMachines", "vm1")`."""
    return f"{group_id(subscription, group)}/providers/{provider}/" + "/".join(type_and_names)


def scopes_at_or_above(scope: str) -> list[str]:
    """Every scope a role assignment could be made at that covers `scope`, from the root down.

    `/subscriptions/s/resourceGroups/g/providers/P/t/n` gives `/`, `/subscriptions/s`,
    `/subscriptions/s/resourceGroups/g` and the resource (and, for nested resources, each parent).
    """
    parts = [part for part in scope.strip("/").split("/") if part]
    scopes = ["/"]
    index = 0
    while index + 2 <= len(parts):
        if parts[index].lower() == "providers":
            index += 2  # `providers/Namespace` is followed by type/name pairs
            continue
        index += 2
        scopes.append("/" + "/".join(parts[:index]))
    return scopes


def subscription_of(scope: str) -> str | None:
    parts = scope.strip("/").split("/")
    if len(parts) >= 2 and parts[0].lower() == "subscriptions":
        return parts[1]
    return None


def group_of(scope: str) -> str | None:
    parts = scope.strip("/").split("/")
    if len(parts) >= 4 and parts[2].lower() == "resourcegroups":
        return parts[3]
    return None
