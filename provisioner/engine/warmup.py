"""Importing the SDK packages a run will need in the background, while it loads and plans.

The management SDKs take about a second each to import; imported lazily by the first step that
builds a client, that second lands on the critical path of the apply. Each kind declares its
modules (`KindInfo.sdk_modules`). A warm-up is only an optimisation: a module left out costs time,
never correctness.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable

from provisioner.kinds import KINDS


def warm_up(kinds: Iterable[str]) -> threading.Thread:
    """Start importing the SDK packages of `kinds` on a daemon thread; join it to wait."""
    modules = sorted({module for kind in kinds for module in (KINDS[kind].sdk_modules if kind in KINDS else ())})
    thread = threading.Thread(target=_import_all, args=(modules,), name="sdk-warm-up", daemon=True)
    thread.start()
    return thread


def _import_all(modules: list[str]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:  # the step that needs it will report it
            continue
