"""Running, in the service, the departure events that other doors (the CSV import) recorded."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from jobs.periodic import CleanupContext, every
from journey.departure import Departure
from journey.ports import DepartureEvents, NotFound
from storage.departure_events import MAX_ATTEMPTS, DepartureEvent, StoredDepartureEvents

log = logging.getLogger(__name__)


async def run_departure_event(
    journey: DepartureEvents, event: DepartureEvent, current: Departure
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
    events: StoredDepartureEvents,
    journey: DepartureEvents,
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
            await run_departure_event(journey, event, current)
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


def departure_event_worker(
    events: Callable[[], StoredDepartureEvents],
    journey: Callable[[], DepartureEvents],
    get_departure: Callable[[], Callable[[str], Awaitable[Departure]]],
    every_seconds: float = 2.0,
) -> CleanupContext:
    """Run, in the service, what the CSV import recorded for the journey."""

    async def drain() -> str | None:
        ran = await drain_journey_events(events(), journey(), get_departure())
        return f"ran {ran} journey events recorded by other doors" if ran else None

    return every(every_seconds, "journey-events", drain)
