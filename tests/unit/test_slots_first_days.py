"""propose_slots looks only at the first days with a free time, and proposes what it did when
it looked at every day up to the last one (the spread over all free days, as before)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from journey.people import BusyInterval
from journey.slots import Slot, SlotSearch, _free_days, _spread, propose_slots

ZONES = ("Europe/Copenhagen", "America/New_York", "UTC")


def _every_day_looked_at(search: SlotSearch, count: int) -> list[str]:
    """The proposal spread over every free day up to the last day."""
    length = timedelta(minutes=search.length_minutes)
    starts = sorted(_spread(_free_days(search), count, length))
    return [Slot(start=start, end=start + length).key for start in starts]


def _search(rnd: random.Random) -> SlotSearch:
    now = datetime(2026, rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23), tzinfo=UTC)
    busy = []
    for _ in range(rnd.randint(0, 80)):
        start = now + timedelta(minutes=30 * rnd.randint(0, 40 * 48))
        busy.append(
            BusyInterval(start=start, end=start + timedelta(minutes=30 * rnd.randint(1, 16)))
        )
    return SlotSearch(
        now=now,
        last_working_day=(now + timedelta(days=rnd.randint(0, 40))).date(),
        length_minutes=rnd.choice([30, 45, 60, 90]),
        zone=ZoneInfo(rnd.choice(ZONES)),
        working_hours=(time(rnd.randint(6, 10)), time(rnd.randint(12, 18))),
        working_days=frozenset(rnd.sample(range(7), rnd.randint(1, 7))),
        busy=busy,
        min_notice_hours=rnd.choice([0.0, 2.0, 24.0]),
    )


def test_the_times_proposed_are_those_of_a_look_at_every_day() -> None:
    rnd = random.Random(13)
    proposed = 0
    for _ in range(400):
        search, count = _search(rnd), rnd.randint(1, 12)
        keys = [slot.key for slot in propose_slots(search, count=count)]
        assert keys == _every_day_looked_at(search, count), (search, count)
        proposed += bool(keys)
    assert proposed > 300  # most searches found times: the comparison is not empty
