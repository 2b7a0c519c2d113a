"""Journey events recorded by the CSV import: each handed to one instance, none lost on a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.departure_events import drain_journey_events
from journey.clock import FixedClock
from journey.departure import Departure
from journey.ports import NotFound
from storage.database import Database
from storage.departure_events import MAX_ATTEMPTS, StoredDepartureEvents
from tests.storage.samples import departure as sample_departure

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class Recording:
    """DepartureEvents that notes what it was asked to do, and can fail."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail

    async def registered(self, departure: Departure) -> None:
        self._note("registered", departure)

    async def changed(self, before: Departure, after: Departure) -> None:
        self._note(f"changed from {before.last_working_day}", after)

    async def cancelled(self, departure: Departure) -> None:
        self._note("cancelled", departure)

    def _note(self, what: str, departure: Departure) -> None:
        if self.fail:
            raise RuntimeError("the journey is down")
        self.calls.append((what, departure.id))


def _lookup(*known: Departure):  # type: ignore[no-untyped-def]
    by_id = {d.id: d for d in known}

    async def get(departure_id: str) -> Departure:
        if departure_id not in by_id:
            raise NotFound(departure_id)
        return by_id[departure_id]

    return get


async def test_events_run_in_order_once_each(db: Database) -> None:
    clock = FixedClock(T0)
    events = StoredDepartureEvents(db, clock)
    before = sample_departure()
    after = before.changed(last_working_day=before.last_working_day + timedelta(days=7))
    await events.registered(before)
    await events.changed(before, after)
    await events.cancelled(after)
    journey = Recording()

    assert await drain_journey_events(events, journey, _lookup(after)) == 3
    assert journey.calls == [
        ("registered", after.id),
        (f"changed from {before.last_working_day}", after.id),
        ("cancelled", after.id),
    ]
    assert await drain_journey_events(events, journey, _lookup(after)) == 0
    assert await events.pending() == 0


async def test_a_claimed_event_is_not_handed_to_a_second_instance(db: Database) -> None:
    clock = FixedClock(T0)
    first, second = StoredDepartureEvents(db, clock), StoredDepartureEvents(db, clock)
    await first.registered(sample_departure())
    assert len(await first.claim(10, lease_seconds=60)) == 1
    assert await second.claim(10, lease_seconds=60) == []


async def test_an_event_whose_instance_died_is_run_after_the_lease(db: Database) -> None:
    clock = FixedClock(T0)
    events = StoredDepartureEvents(db, clock)
    departure = sample_departure()
    await events.registered(departure)
    [claimed] = await events.claim(10, lease_seconds=60)  # ... and the process is killed here
    journey = Recording()
    assert await drain_journey_events(events, journey, _lookup(departure)) == 0
    clock.advance(seconds=61)
    assert await drain_journey_events(events, journey, _lookup(departure)) == 1
    assert journey.calls == [("registered", departure.id)]
    assert claimed.attempts == 1


async def test_a_failing_event_is_retried_then_set_aside(db: Database) -> None:
    clock = FixedClock(T0)
    events = StoredDepartureEvents(db, clock)
    departure = sample_departure()
    await events.registered(departure)
    broken = Recording(fail=True)
    for _ in range(MAX_ATTEMPTS - 1):
        assert await drain_journey_events(events, broken, _lookup(departure), lease_seconds=1) == 0
        assert await events.pending() == 1  # kept for the next round
        clock.advance(seconds=2)
    await drain_journey_events(events, broken, _lookup(departure), lease_seconds=1)
    assert await events.pending() == 0


async def test_an_event_for_a_departure_that_is_gone_is_dropped(db: Database) -> None:
    events = StoredDepartureEvents(db, FixedClock(T0))
    await events.registered(sample_departure())
    journey = Recording()
    assert await drain_journey_events(events, journey, _lookup()) == 0
    assert journey.calls == []
    assert await events.pending() == 0
