"""Seen activities: a re-sent Teams activity is handled once, even under a race."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from journey.clock import FixedClock
from storage.activities import SeenActivities
from storage.database import Database
from tests.storage.samples import T0


async def test_first_time_only_once(db: Database) -> None:
    seen = SeenActivities(db)
    assert await seen.first_time("1:abc") is True
    assert await seen.first_time("1:abc") is False
    assert await seen.first_time("1:def") is True


async def test_concurrent_resends_pass_exactly_once(database_url: str) -> None:
    async with await Database.open(database_url) as one, await Database.open(database_url) as two:
        checks = [SeenActivities(one), SeenActivities(two)]
        results = await asyncio.gather(*(checks[n % 2].first_time("1:resent") for n in range(12)))
    assert results.count(True) == 1, results


async def test_prune_forgets_old_ids_only(db: Database) -> None:
    clock = FixedClock(T0)
    seen = SeenActivities(db, clock)
    await seen.first_time("old")
    clock.advance(minutes=50)
    await seen.first_time("recent")
    clock.advance(minutes=20)

    assert await seen.prune_older_than(timedelta(hours=1)) == 1

    assert await seen.first_time("old") is True
    assert await seen.first_time("recent") is False
