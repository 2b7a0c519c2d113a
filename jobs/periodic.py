"""The one loop every background job runs in: every N seconds until the service stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

CleanupContext = Callable[[web.Application], AsyncIterator[None]]


def every(seconds: float, name: str, work: Callable[[], Awaitable[str | None]]) -> CleanupContext:
    """A cleanup context that runs `work` every `seconds` for the app's lifetime.

    `work` says what it did (logged when it did something); a failure is logged by kind only
    (never a message text) and the next round tries again.
    """

    async def context(app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                try:
                    done = await work()
                    if done:
                        log.info("%s: %s", name, done)
                except Exception as error:  # the database may be back on the next round
                    log.warning("%s failed: %s", name, type(error).__name__)
                await asyncio.sleep(seconds)

        task = asyncio.create_task(loop(), name=name)
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return context
