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
from typing import TypeVar

T = TypeVar("T")

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
        if await _value(predicate):
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


async def wait_while_progressing(
    predicate: Callable[[], bool | Awaitable[bool]],
    progress: Callable[[], int | Awaitable[int]],
    *,
    patience: float = PATIENCE,
    interval: float = _INTERVAL,
    what: str = "",
) -> None:
    """Return as soon as `predicate()` is true; raise once `progress()` (a count that grows
    while the work goes on: deliveries, requests) has not grown for `patience` s.

    For work whose length is a figure of the machine's load (a paced fan-out on a loaded
    machine may take minutes): the verdict waits for it as long as it moves, and a stall
    (a livelock, a worker stuck) still fails it.
    """
    best = await _value(progress)
    moved = time.monotonic()
    while not await _value(predicate):
        now = await _value(progress)
        if now > best:
            best, moved = now, time.monotonic()
        elif time.monotonic() - moved >= patience:
            raise NeverHappened(
                f"still not true, and no progress (at {best}) for {patience} s: {what or predicate}"
            )
        await asyncio.sleep(interval)


async def _value(get: Callable[[], T | Awaitable[T]]) -> T:
    outcome = get()
    if inspect.isawaitable(outcome):
        return await outcome
    return outcome


async def finished_while_progressing(
    work: Awaitable[T],
    progress: Callable[[], int | Awaitable[int]],
    *,
    patience: float = PATIENCE,
    what: str = "",
) -> T:
    """What `work` (worker processes running to their end, say) returns, waited for while
    `progress()` grows (see wait_while_progressing); cancelled once it stalls."""
    running = asyncio.ensure_future(work)
    try:
        await wait_while_progressing(running.done, progress, patience=patience, what=what)
    except NeverHappened:
        running.cancel()
        raise
    return await running
