"""Two worker instances on one database deliver 2,000 reminders, each exactly once."""

from __future__ import annotations

import asyncio
import time

from journey.due import DueState, delivery_marker
from storage.database import Database
from storage.due_actions import DueActionQueue
from tests.delivery.conftest import WorkerFactory, add_recipients, reminder
from tests.standins.serve import serve
from tests.standins.throttling import ThrottlingConnector

REMINDERS = 2000
PEOPLE = 200


async def test_two_workers_deliver_every_reminder_exactly_once(
    database_url: str, make_worker: WorkerFactory
) -> None:
    standin = ThrottlingConnector(conversation_limits=None, tenant_limits=None, latency=0.002)
    async with (
        serve(standin.app()) as url,
        await Database.open(database_url) as first,
        await Database.open(database_url) as second,
    ):
        await add_recipients(first, url, [f"user-{n}" for n in range(PEOPLE)])
        reminders = [reminder(n, recipient_key=f"user-{n % PEOPLE}") for n in range(REMINDERS)]
        await DueActionQueue(first, make_worker.clock).schedule_many(reminders)
        workers = [make_worker(first, owner="instance-a"), make_worker(second, owner="instance-b")]
        stop = asyncio.Event()
        running = [asyncio.create_task(worker.run_forever(stop)) for worker in workers]
        deadline = time.monotonic() + 40
        while len(standin.arrivals) < REMINDERS and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # room for a late double to show up
        stop.set()
        await asyncio.gather(*running)
        counts = await DueActionQueue(first, make_worker.clock).counts()

    assert counts == {DueState.SENT: REMINDERS}
    received = standin.marker_counts()
    assert sorted(received) == sorted(delivery_marker(r.key) for r in reminders)
    assert set(received.values()) == {1}
    assert len(standin.arrivals) == REMINDERS
    # Both instances did part of the work (otherwise this proves nothing about two).
    senders = {event for event in await _senders(database_url)}
    assert senders == {"instance-a", "instance-b"}


async def _senders(database_url: str) -> list[str]:
    from sqlalchemy import select

    from storage.tables import delivery_log

    async with await Database.open(database_url) as db, db.sessions() as session:
        return list(
            (await session.scalars(select(delivery_log.c.worker).distinct())).all()
        )
