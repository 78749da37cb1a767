"""The seam between a kind and its provider: what a provider compares is checked against the spec."""

from __future__ import annotations

import pytest

from provisioner.kinds import KINDS
from provisioner.providers import PROVIDERS
from provisioner.providers.base import Provider
from provisioner.providers.resource_group import ResourceGroupProvider


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_registered_provider_is_made_and_compares_only_its_spec(kind: str) -> None:
    provider = PROVIDERS[kind]
    fields = set(KINDS[kind].spec.model_fields)
    assert isinstance(provider, Provider)
    assert provider.kind == kind
    assert set(provider.managed) <= fields | provider.computed
    assert provider.replace_on <= set(provider.managed)


class MisspeltProvider(ResourceGroupProvider):
    managed = (*ResourceGroupProvider.managed, "tag")


class ReplacesUnmanagedProvider(ResourceGroupProvider):
    replace_on = frozenset({"location", "name"})


def test_a_misspelt_managed_attribute_is_refused_when_the_provider_is_made() -> None:
    with pytest.raises(TypeError, match=r"MisspeltProvider compares tag, which resource_group's spec does not have"):
        MisspeltProvider(KINDS["resource_group"])


def test_a_replace_on_attribute_must_be_managed() -> None:
    with pytest.raises(TypeError, match=r"ReplacesUnmanagedProvider compares name"):
        ReplacesUnmanagedProvider(KINDS["resource_group"])
