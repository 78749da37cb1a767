"""The template functions of a resource-group deployment: what `az vm create`, `az deployment group
create` and the quickstart templates use (parameters, variables, resourceId, reference, concat,
format, resourceGroup, subscription, deployment, guid, uniqueString and the common helpers).

`reference()` is given by the deployment (it reads the resource through the cloud's own routes);
while validating it is `Deferred`, as ARM leaves it to the deployment."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from provisioner.emulator.resources.expressions import Function, Scope, evaluate_value, invalid_template

ReferenceReader = Callable[[str, str | None, bool], Any]
"""(resource id or template resource name, api-version or None, full) -> the resource's state."""


@dataclass
class TemplateContext:
    subscription_id: str
    tenant_id: str
    group: dict[str, Any]
    deployment_name: str
    parameters: dict[str, Any]
    variables: dict[str, Any]
    read_reference: ReferenceReader
    _evaluated: dict[str, Any] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)

    def scope(self) -> Scope:
        return Scope(functions=self.functions())

    def functions(self) -> dict[str, Function]:
        own: dict[str, Function] = {
            "parameters": self.parameter,
            "variables": self.variable,
            "resourceid": self.resource_id,
            "subscriptionresourceid": self.subscription_resource_id,
            "reference": self.reference,
            "resourcegroup": lambda: self.group,
            "subscription": self.subscription,
            "deployment": lambda: {"name": self.deployment_name, "properties": {"mode": "Incremental"}},
            "uniquestring": unique_string,
            "guid": guid,
        }
        return {name.lower(): function for name, function in (COMMON | own).items()}

    def parameter(self, name: str) -> Any:
        for key, value in self.parameters.items():
            if key.lower() == name.lower():
                return value
        raise invalid_template(f"The template parameter '{name}' is not found")

    def variable(self, name: str) -> Any:
        key = next((key for key in self.variables if key.lower() == name.lower()), None)
        if key is None:
            raise invalid_template(f"The template variable '{name}' is not found")
        if key in self._evaluating:
            raise invalid_template(f"The template variable '{name}' refers to itself")
        if key not in self._evaluated:
            self._evaluating.add(key)
            self._evaluated[key] = evaluate_value(self.variables[key], self.scope())
            self._evaluating.discard(key)
        return self._evaluated[key]

    def subscription(self) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{self.subscription_id}",
            "subscriptionId": self.subscription_id,
            "tenantId": self.tenant_id,
            "displayName": "Local cloud subscription",
        }

    def resource_id(self, *arguments: str) -> str:
        """`resourceId([subscriptionId], [resourceGroupName], type, name1, [name2...])`."""
        parts = [str(argument) for argument in arguments]
        type_at = next((index for index, part in enumerate(parts) if "/" in part and "." in part.split("/")[0]), None)
        if type_at is None or type_at > 2:
            raise invalid_template(f"Unable to evaluate template language function 'resourceId': {parts}")
        prefix, resource_type, names = parts[:type_at], parts[type_at], parts[type_at + 1 :]
        subscription = prefix[0] if len(prefix) == 2 else self.subscription_id
        group = prefix[-1] if prefix else str(self.group["name"])
        return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{nest(resource_type, names)}"

    def subscription_resource_id(self, *arguments: str) -> str:
        """`subscriptionResourceId([subscriptionId], type, name1, [name2...])`."""
        parts = [str(argument) for argument in arguments]
        has_subscription = len(parts) > 1 and "/" not in parts[0]
        subscription = parts[0] if has_subscription else self.subscription_id
        rest = parts[1:] if has_subscription else parts
        return f"/subscriptions/{subscription}/providers/{nest(rest[0], rest[1:])}"

    def reference(self, name: Any, api_version: str | None = None, full: str | None = None) -> Any:
        return self.read_reference(str(name), api_version, str(full or "").lower() == "full")


def nest(resource_type: str, names: list[str]) -> str:
    """`Microsoft.Network/virtualNetworks/subnets` + [vnet, default]
    -> `Microsoft.Network/virtualNetworks/vnet/subnets/default`."""
    namespace, *types = resource_type.split("/")
    if len(types) != len(names) or not types:
        raise invalid_template(
            f"The type '{resource_type}' has {len(types)} segments but {len(names)} name(s) were given: {names}"
        )
    return "/".join([namespace, *(f"{kind}/{name}" for kind, name in zip(types, names, strict=True))])


def unique_string(*values: str) -> str:
    """13 characters, lower-case, deterministic per input (ARM's own hash differs; the contract is the same)."""
    digest = hashlib.sha256("|".join(str(value) for value in values).encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    number = int.from_bytes(digest[:9], "big")
    return "".join(alphabet[(number >> (5 * index)) & 31] for index in range(13))


def guid(*values: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(str(value) for value in values)))


def _concat(*values: Any) -> Any:
    if values and all(isinstance(value, list) for value in values):
        return [item for value in values for item in value]
    return "".join(_text(value) for value in values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


def _format(template: str, *values: Any) -> str:
    try:
        return template.format(*(_text(value) for value in values))
    except (IndexError, ValueError) as exc:
        raise invalid_template(f"Unable to evaluate template language function 'format': {exc}") from exc


def _if(condition: bool, when_true: Any, when_false: Any) -> Any:
    return when_true if condition else when_false


def _equals(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return bool(left == right)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, dict):
        return any(key.lower() == str(item).lower() for key in container)
    if isinstance(container, str):
        return str(item).lower() in container.lower()
    return item in container


def _union(*values: Any) -> Any:
    if all(isinstance(value, dict) for value in values):
        merged: dict[str, Any] = {}
        for value in values:
            merged |= value
        return merged
    return list(dict.fromkeys(item for value in values for item in value))


def _create_object(*pairs: Any) -> dict[str, Any]:
    if len(pairs) % 2:
        raise invalid_template("The template function 'createObject' needs key/value pairs")
    return {str(pairs[index]): pairs[index + 1] for index in range(0, len(pairs), 2)}


COMMON: dict[str, Function] = {
    "concat": _concat,
    "format": _format,
    "string": _text,
    "int": int,
    "bool": lambda value: value if isinstance(value, bool) else str(value).lower() == "true",
    "toLower": lambda value: str(value).lower(),
    "toUpper": lambda value: str(value).upper(),
    "replace": lambda value, old, new: str(value).replace(old, new),
    "split": lambda value, separator: str(value).split(separator),
    "substring": lambda value, start, length=None: str(value)[start : None if length is None else start + length],
    "length": len,
    "first": lambda value: value[0],
    "last": lambda value: value[-1],
    "if": _if,
    "equals": _equals,
    "not": lambda value: not value,
    "and": lambda *values: all(values),
    "or": lambda *values: any(values),
    "empty": _empty,
    "contains": _contains,
    "union": _union,
    "createObject": _create_object,
    "createArray": lambda *values: list(values),
    "coalesce": lambda *values: next((value for value in values if value is not None), None),
}
