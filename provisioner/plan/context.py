"""The `ProviderContext` of one run: the target's SDK clients and a read cache shared by every step."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from provisioner.providers.base import CloudClients, ReadCache

T = TypeVar("T")


class MemoReadCache:
    """Loads each key once, even when several threads ask for it at the same time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple[str, ...], Any] = {}
        self._loading: dict[tuple[str, ...], threading.Lock] = {}

    def get_or_load(self, key: tuple[str, ...], load: Callable[[], T]) -> T:
        normal = tuple(part.lower() for part in key)
        with self._lock:
            if normal in self._values:
                return self._values[normal]  # type: ignore[no-any-return]
            key_lock = self._loading.setdefault(normal, threading.Lock())
        with key_lock:
            with self._lock:
                if normal in self._values:
                    return self._values[normal]  # type: ignore[no-any-return]
            value = load()
            with self._lock:
                self._values[normal] = value
            return value


@dataclass
class RunContext:
    """What providers get: `clients` for the target and `cache` for batched reads."""

    clients: CloudClients
    cache: ReadCache = field(default_factory=MemoReadCache)
