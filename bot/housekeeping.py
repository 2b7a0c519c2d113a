"""Background upkeep inside the service: forgetting old activity ids."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from aiohttp import web

from storage.activities import SeenActivities
from storage.database import Database

log = logging.getLogger(__name__)


def prune_seen_activities(
    database: Callable[[], Database], window: timedelta, every_seconds: float = 600
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that forgets activity ids older than Teams' re-send window needs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            seen = SeenActivities(database())
            while True:
                try:
                    forgotten = await seen.prune_older_than(window)
                    if forgotten:
                        log.info("forgot %d old activity ids", forgotten)
                except Exception as error:  # keep pruning on the next round
                    log.warning("pruning activity ids failed: %s", type(error).__name__)
                await asyncio.sleep(every_seconds)

        task = asyncio.create_task(loop(), name="prune-seen-activities")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return context
