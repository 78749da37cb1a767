"""What ARM providers share: REST-shaped bodies, 404 as "absent", tags and locations, resource ids.

Request bodies are REST-shaped dicts (`{"location", "tags", "properties": {...}}`, as the REST API and
the local cloud document them); responses are turned back into the same shape by `rest`, whichever
generation of SDK model (msrest or the newer MutableMapping models) a package returns.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from azure.core.exceptions import HttpResponseError
from azure.mgmt.core.tools import parse_resource_id

from provisioner.kinds.base import Placed
from provisioner.kinds.resource_group import ResourceGroupSpec
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext, normalise

T = TypeVar("T")
A = TypeVar("A", bound=Placed | ResourceGroupSpec)  # a tracked ARM resource: it has a location and tags
P = TypeVar("P", bound=Placed)  # a tracked ARM resource in a resource group
NOT_FOUND = 404


def rest(model: Any) -> dict[str, Any]:
    """A response model as the REST API's JSON (camelCase keys, `properties` nested)."""
    if model is None:
        return {}
    if isinstance(model, Mapping):
        return dict(model.as_dict()) if hasattr(model, "as_dict") else dict(model)
    return dict(model.serialize(keep_readonly=True))


def get_or_none(call: Callable[[], T]) -> T | None:
    """The result of a GET, or None when Azure answers 404 (the resource or its parent is absent)."""
    try:
        return call()
    except HttpResponseError as error:
        if error.status_code == NOT_FOUND:
            return None
        raise


def delete_if_present(call: Callable[[], Any]) -> None:
    """Run a delete (waiting for a poller when it returns one); a 404 means already gone."""
    try:
        outcome = call()
        if hasattr(outcome, "result"):
            outcome.result()
    except HttpResponseError as error:
        if error.status_code != NOT_FOUND:
            raise


def parse_id(resource_id: str) -> dict[str, Any]:
    """`parse_resource_id` of azure-mgmt-core: subscription, resource_group, namespace, type, name,
    child_type_1, child_name_1, ..."""
    return dict(parse_resource_id(resource_id))


def merged_tags(desired: Desired[A], live: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags to write: the live ones (kept), the scenario's, and the deployment's (which win)."""
    return {**(live or {}), **desired.spec.tags, **desired.tags}


def group_location(ctx: ProviderContext, group: str) -> str:
    """The group's location, read once per run: ARM never lets a group change location."""

    def load() -> str:
        location: str = ctx.clients.resources.resource_groups.get(group).location
        return location

    return ctx.cache.get_or_load(("resource-group-location", group.lower()), load)


def location_for(ctx: ProviderContext, desired: Desired[P]) -> str:
    """The scenario's location, or the resource group's."""
    location = desired.spec.location
    return str(location) if location else group_location(ctx, str(desired.spec.resource_group))


def group_and_name(desired: Desired[P]) -> tuple[str, str]:
    """The resource group and name of a resource in a group, as the SDKs' operations take them."""
    return str(desired.spec.resource_group), desired.spec.name


def canonical_location(location: str) -> str:
    """`West US` and `westus` are one region."""
    return location.replace(" ", "").lower()


def tracked_attributes(body: Mapping[str, Any]) -> dict[str, Any]:
    return {"location": canonical_location(str(body.get("location", ""))), "tags": dict(body.get("tags") or {})}


def observed(body: Mapping[str, Any], attributes: Mapping[str, Any], exports: Mapping[str, Any]) -> Observed:
    return Observed(azure_id=str(body["id"]), attributes=dict(attributes), exports=dict(exports))


class ArmProvider(Provider[A]):
    """A tracked ARM resource: `location` (changing it means a new resource) and tags.

    Tags compare as a subset: the scenario's and the deployment's tags must be there, tags someone
    else added stay (and are kept when provision writes tags).
    """

    managed: ClassVar[tuple[str, ...]] = ("location", "tags")
    replace_on: ClassVar[frozenset[str]] = frozenset({"location"})

    def wanted(self, desired: Desired[A]) -> Mapping[str, Any]:
        wanted = dict(super().wanted(desired))
        if desired.existing:
            return wanted
        if "location" in wanted:
            wanted["location"] = canonical_location(str(wanted["location"]))
        wanted["tags"] = merged_tags(desired)
        return wanted

    def matches(self, path: str, wanted: Any, live: Any) -> bool:
        if path == "tags":
            live_tags = normalise(live or {})
            return all(live_tags.get(key) == value for key, value in normalise(wanted).items())
        return super().matches(path, wanted, live)


class PutArmProvider(ArmProvider[P]):
    """A tracked resource written whole with one PUT: create and update differ only in the location
    (an update keeps the live one, a change of location is a replace) and the tags already there."""

    def create(self, ctx: ProviderContext, desired: Desired[P]) -> Observed:
        return self._put(ctx, desired, location_for(ctx, desired), None)

    def update(
        self, ctx: ProviderContext, desired: Desired[P], observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        return self._put(ctx, desired, observed.attributes["location"], observed.attributes.get("tags"))

    @abstractmethod
    def _put(
        self, ctx: ProviderContext, desired: Desired[P], location: str, live_tags: Mapping[str, str] | None
    ) -> Observed:
        """PUT the resource with this location and tags; what it is afterwards."""


def azure_code(error: HttpResponseError) -> str | None:
    """Azure's error code (`{"error": {"code"}}`) of a failed call."""
    code = getattr(error.error, "code", None)
    return str(code) if code else None
