"""Background upkeep inside the service: old activity ids, journey events from other doors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from journey.departure import Departure
from journey.ports import JourneyEvents, NotFound
from storage.activities import SeenActivities
from storage.database import Database
from storage.journey_events import MAX_ATTEMPTS, JourneyEvent, StoredJourneyEvents

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


def prune_seen_activities(
    database: Callable[[], Database], window: timedelta, every_seconds: float = 600
) -> CleanupContext:
    """Forget activity ids older than Teams' re-send window needs."""

    async def prune() -> str | None:
        forgotten = await SeenActivities(database()).prune_older_than(window)
        return f"forgot {forgotten} old activity ids" if forgotten else None

    return every(every_seconds, "prune-seen-activities", prune)


async def run_journey_event(
    journey: JourneyEvents, event: JourneyEvent, current: Departure
) -> None:
    """Hand one recorded event to the journey."""
    if event.event == "registered":
        await journey.registered(current)
    elif event.event == "changed":
        await journey.changed(event.before or current, current)
    elif event.event == "cancelled":
        await journey.cancelled(current)
    else:
        log.error("journey event %s has an unknown kind; set aside", event.id)


async def drain_journey_events(
    events: StoredJourneyEvents,
    journey: JourneyEvents,
    get_departure: Callable[[str], Awaitable[Departure]],
    *,
    batch: int = 20,
    lease_seconds: float = 120,
) -> int:
    """Run the journey events other doors recorded; how many ran. Failures retry later."""
    ran = 0
    for event in await events.claim(batch, lease_seconds):
        try:
            current = await get_departure(event.departure_id)
        except NotFound:
            await events.done(event.id)  # nothing left to act on
            continue
        try:
            await run_journey_event(journey, event, current)
        except Exception as error:
            # The lease runs out and another round tries again, up to MAX_ATTEMPTS.
            log.warning(
                "journey event %s (%s) for departure %s failed (attempt %d): %s",
                event.id,
                event.event,
                event.departure_id,
                event.attempts,
                type(error).__name__,
            )
            if event.attempts >= MAX_ATTEMPTS:
                log.error("journey event %s set aside after %d attempts", event.id, MAX_ATTEMPTS)
                await events.done(event.id)
            continue
        await events.done(event.id)
        ran += 1
    return ran


def journey_event_worker(
    events: Callable[[], StoredJourneyEvents],
    journey: Callable[[], JourneyEvents],
    get_departure: Callable[[], Callable[[str], Awaitable[Departure]]],
    every_seconds: float = 2.0,
) -> CleanupContext:
    """Run, in the service, what the CSV import recorded for the journey."""

    async def drain() -> str | None:
        ran = await drain_journey_events(events(), journey(), get_departure())
        return f"ran {ran} journey events recorded by other doors" if ran else None

    return every(every_seconds, "journey-events", drain)
