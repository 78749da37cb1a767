"""Providers: one module per kind, mapping it onto Azure through the SDK clients.

`PROVIDERS[kind]` imports the provider a kind declares (`KindInfo.provider`, `module:Class`) the
first time a run needs it, so loading a scenario never loads an SDK.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from provisioner.kinds import KINDS
from provisioner.providers.base import Provider


class ProviderTable(Mapping[str, Provider[Any]]):
    """The provider of every registered kind, each made once, on first use."""

    def __init__(self) -> None:
        self._made: dict[str, Provider[Any]] = {}
        self._lock = threading.Lock()

    def __getitem__(self, kind: str) -> Provider[Any]:
        with self._lock:
            if kind not in self._made:
                self._made[kind] = _make(kind)
            return self._made[kind]

    def __iter__(self) -> Iterator[str]:
        return (kind for kind, info in KINDS.items() if info.provider)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and kind in KINDS and bool(KINDS[kind].provider)


def _make(kind: str) -> Provider[Any]:
    info = KINDS[kind]
    if not info.provider:
        raise KeyError(kind)
    module, _, name = info.provider.partition(":")
    provider_class = getattr(importlib.import_module(module), name)
    if not (isinstance(provider_class, type) and issubclass(provider_class, Provider)):
        raise TypeError(f"kind '{kind}' names {info.provider}, which is not a Provider")
    provider: Provider[Any] = provider_class(info)
    return provider


PROVIDERS = ProviderTable()
