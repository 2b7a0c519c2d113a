"""A bound on the delivery worker's database calls at once."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any


class Gated:
    """Runs each coroutine method of `target` while holding `gate`.

    A worker has many sends in flight; letting each hit the database at once exhausts the
    engine's pool, and every connection beyond it is opened and closed per use (for
    PostgreSQL a new server process each time).
    """

    def __init__(self, target: object, gate: asyncio.Semaphore) -> None:
        self._target = target
        self._gate = gate

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        async def gated(*args: Any, **kwargs: Any) -> Any:
            async with self._gate:
                return await attribute(*args, **kwargs)

        return gated
