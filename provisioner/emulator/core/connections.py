"""The connections a database listener (TDS, PostgreSQL) is serving: each one's task is known, so that
stopping the local cloud can cancel them, and its writer is closed however the connection ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Connections:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()

    @contextlib.asynccontextmanager
    async def serving(self, writer: asyncio.StreamWriter) -> AsyncIterator[None]:
        """Track the current task while the body serves the connection; close the writer after."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def close_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
