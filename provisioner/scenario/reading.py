"""Reading a local input file (scenario, vars file, a blob's `content_file`, ...) without trusting it.

Only a regular file is read, and never more than its limit: a link to /dev/zero, a FIFO or a
directory is refused before it is opened (a FIFO would block the reader forever), and a huge
file costs at most `limit + 1` bytes of memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class Unreadable(Exception):
    """A file that cannot be used; `reason` says why, in words for a diagnostic."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.hint = reason, hint


class TooLarge(Unreadable):
    """A regular file over its limit."""


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path` (links followed), at most `limit` of them."""
    try:
        _check_regular(os.stat(path))
        # O_NONBLOCK: should the path be swapped for a FIFO after the stat, opening it does not block.
        descriptor = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL character
        raise Unreadable(_reason(exc)) from None
    with os.fdopen(descriptor, "rb") as file:
        try:
            _check_regular(os.fstat(file.fileno()))
            data = file.read(limit + 1)
        except OSError as exc:
            raise Unreadable(_reason(exc)) from None
    if len(data) > limit:
        raise TooLarge(f"larger than {limit // 1024} KiB")
    return data


def _check_regular(info: os.stat_result) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise Unreadable("Is a directory", "give the path of a file")
    what = "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    raise Unreadable(f"not a regular file ({what})", "give the path of a regular file")


def _reason(exc: OSError | ValueError) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
