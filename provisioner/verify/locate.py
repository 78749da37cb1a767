"""Where each check's target is, as the probe needs it: ids from the deployment state, data-plane
endpoints (blob, vault) read through ARM as the operator, since a state's endpoints may be stale
(the local cloud's port changes from run to run; an account's endpoint never does on Azure).

Operator reads here are lookups only; every access that proves something is made by the probe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from provisioner.azure.clients import Clients
from provisioner.azure.errors import SDK_ERRORS, translate
from provisioner.azure.ids import parse_arm_id
from provisioner.state import ResourceState
from provisioner.verify.abilities import Action
from provisioner.verify.model import Unverifiable, error
from provisioner.verify.targets import API_VERSIONS, existence_id

BLOB_PREFIX = "provision-verify"


@dataclass(frozen=True)
class Locating:
    """One check's target, with what a lookup may need."""

    target: ResourceState
    actor_slug: str  # names the blobs a write check leaves, one per identity
    clients: Clients


def locate(action: Action, locating: Locating) -> dict[str, Any]:
    """The probe parameters of the check; Unverifiable when a lookup fails."""
    with _operator_lookup("looking up the target as the operator"):
        return LOCATORS[action](locating)


def confirm_exists(locating: Locating) -> None:
    """For a check that expects a refusal: the target exists (a secret: its vault), or the refusal would
    prove nothing (ARM refuses a caller without rights before it says a resource is not there)."""
    target = locating.target
    with _operator_lookup("the target cannot be read as the operator (deleted outside provision?)"):
        locating.clients.resources.resources.get_by_id(existence_id(target), api_version=API_VERSIONS[target.kind])


@contextmanager
def _operator_lookup(what: str) -> Iterator[None]:
    """Failures of a lookup as the operator, as the outcome of the check (an error: it proves nothing)."""
    try:
        yield
    except SDK_ERRORS as failure:
        problem = translate(failure)
        raise Unverifiable(error(f"{what}: {problem}", getattr(problem, "code", None))) from None
    except (KeyError, ValueError) as missing:
        raise Unverifiable(error(f"the deployment state lacks what locates the target ({missing})")) from None


def _arm_read(locating: Locating) -> dict[str, Any]:
    target = locating.target
    return {"resource_id": target.azure_id, "api_version": API_VERSIONS[target.kind]}


def _group_write(locating: Locating) -> dict[str, Any]:
    name = str(locating.target.exports["name"])
    group = locating.clients.resources.resource_groups.get(name)
    return {"group": name, "tags": dict(group.tags or {})}


def _container(locating: Locating, blob: str) -> dict[str, Any]:
    parts = parse_arm_id(str(locating.target.azure_id))
    group, account = parts.group, parts.name
    properties = locating.clients.storage.storage_accounts.get_properties(group, account)
    return {
        "group": group,
        "account": account,
        "account_url": str(properties.primary_endpoints.blob),
        "container": str(locating.target.exports["name"]),
        "blob_name": f"{BLOB_PREFIX}/{locating.actor_slug}{blob}.txt",
    }


def _secret(locating: Locating) -> dict[str, Any]:
    parts = parse_arm_id(str(locating.target.attributes["vault"]))
    vault = locating.clients.keyvault.vaults.get(parts.group, parts.name)
    return {"vault_url": str(vault.properties.vault_uri), "name": str(locating.target.exports["name"])}


def _database(locating: Locating) -> dict[str, Any]:
    return {"database_id": locating.target.azure_id}


LOCATORS: dict[Action, Callable[[Locating], dict[str, Any]]] = {
    Action.ARM_READ: _arm_read,
    Action.GROUP_WRITE: _group_write,
    Action.BLOB_READ: lambda locating: _container(locating, ""),
    Action.BLOB_WRITE: lambda locating: _container(locating, ""),
    Action.SAS_READ: lambda locating: _container(locating, "-sas"),
    Action.SAS_WRITE: lambda locating: _container(locating, "-sas"),
    Action.SECRET_READ: _secret,
    Action.SQL_READ: _database,
    Action.PG_READ: _database,
    Action.PG_WRITE: _database,
}
"""Each action's parameters (the SQL endpoint of a database is found by the runner: it is the local
cloud's; on Azure, SQL needs TDS and is skipped)."""
