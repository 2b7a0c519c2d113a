"""Waiting on a condition with a deadline, instead of sleeping a fixed time and hoping.

The deadlines are generous on purpose: a test waits as long as the condition takes on a quiet
machine (usually a few hundredths of a second) and only fails when it still does not hold after
a time no loaded CI machine needs, so its verdict does not depend on the machine's load.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

# A deadline for things that take about a second on a quiet machine; 2 cores at load 10 can
# stretch that twentyfold.
PATIENCE = 60.0
_INTERVAL = 0.05


class NeverHappened(TimeoutError):
    """The condition still did not hold when the deadline passed."""


async def wait_until(
    predicate: Callable[[], bool | Awaitable[bool]],
    *,
    timeout: float = PATIENCE,  # noqa: ASYNC109 (the message names the condition that failed)
    interval: float = _INTERVAL,
    what: str = "",
) -> None:
    """Return as soon as `predicate()` (plain or awaitable) is true; raise after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        outcome = predicate()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() >= deadline:
            raise NeverHappened(f"still not true after {timeout} s: {what or predicate}")
        await asyncio.sleep(interval)


def wait_until_sync(
    predicate: Callable[[], bool],
    *,
    timeout: float = PATIENCE,
    interval: float = _INTERVAL,
    what: str = "",
) -> None:
    """The same for code without an event loop (subprocesses, containers)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise NeverHappened(f"still not true after {timeout} s: {what or predicate}")
        time.sleep(interval)
