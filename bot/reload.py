"""HR's YAML reloaded on SIGHUP (`kill -HUP <pid>`), without a restart.

A version that validates takes effect for the next turn and the next proactive message (every
service reads the configuration through the holder at each use); a version with mistakes is
refused, its `file:line:col: path: message` lines are logged, and the last good one stays.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator

from aiohttp import web

from bot.typedefs import CONFIG
from config.holder import ConfigHolder

log = logging.getLogger(__name__)


class Reloader:
    """Reloads the holder off the event loop, one reload at a time."""

    def __init__(self, holder: ConfigHolder) -> None:
        self._holder = holder
        self._running: asyncio.Task[None] | None = None
        self._again = False

    def hangup(self) -> None:
        """The signal's handler: reload now, or once more after the reload under way."""
        if self._running is not None and not self._running.done():
            # The files may have changed again after the running reload read them.
            self._again = True
            return
        self._running = asyncio.get_running_loop().create_task(self._reload(), name="reload")

    async def _reload(self) -> None:
        while True:
            self._again = False
            try:
                # Reading and checking the files takes a few tenths of a second: not on the loop.
                await asyncio.to_thread(self._holder.reload)
            except Exception as error:  # e.g. the directory is unreadable; keep serving
                log.error("configuration reload failed: %s", type(error).__name__)
            if not self._again:
                return

    async def finish(self) -> None:
        """Wait for a reload under way."""
        if self._running is not None:
            await self._running


async def config_reload(app: web.Application) -> AsyncIterator[None]:
    """Reload HR's YAML on SIGHUP while the app runs (where the platform has SIGHUP)."""
    reloader = Reloader(app[CONFIG])
    loop = asyncio.get_running_loop()
    hangup = _listen(loop, reloader)
    try:
        yield
    finally:
        if hangup is not None:
            loop.remove_signal_handler(hangup)
        await reloader.finish()


def _listen(loop: asyncio.AbstractEventLoop, reloader: Reloader) -> int | None:
    """Call the reloader on SIGHUP; the signal's number, or None where that cannot be."""
    # A loop keeps one handler per signal: of two apps on one loop (tests), the last one reloads.
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:  # Windows
        log.info("no configuration reload here: the platform has no SIGHUP")
        return None
    try:
        loop.add_signal_handler(hangup, reloader.hangup)
    except (NotImplementedError, RuntimeError) as exc:  # not the main thread; no unix loop
        log.info("no configuration reload on SIGHUP here: %s", exc)
        return None
    return hangup
