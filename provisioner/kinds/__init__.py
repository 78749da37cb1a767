"""The registry of resource kinds: every module of this package that defines `KIND`, plus kinds that
installed packages add through the `provision.kinds` entry point group (a module defining `KIND`,
or a `KindInfo` itself). Every table keyed by kind is derived from this one.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from provisioner.kinds.base import KindInfo

ENTRY_POINT_GROUP = "provision.kinds"


def _declared(found: object, origin: str) -> KindInfo[Any]:
    kind = getattr(found, "KIND", None) if isinstance(found, ModuleType) else found
    if not isinstance(kind, KindInfo):
        raise TypeError(f"{origin} declares no KindInfo (a kind module defines KIND = KindInfo(...))")
    return kind


def _discover() -> dict[str, KindInfo[Any]]:
    kinds: dict[str, KindInfo[Any]] = {}
    for module in sorted(info.name for info in pkgutil.iter_modules(__path__)):
        loaded = importlib.import_module(f"{__name__}.{module}")
        if isinstance(getattr(loaded, "KIND", None), KindInfo):
            kinds[loaded.KIND.name] = loaded.KIND
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        kind = _declared(entry.load(), f"entry point '{entry.name}' ({entry.value})")
        if kind.name in kinds:
            raise TypeError(f"entry point '{entry.name}' declares kind '{kind.name}', which already exists")
        kinds[kind.name] = kind
    return kinds


KINDS: dict[str, KindInfo[Any]] = _discover()
