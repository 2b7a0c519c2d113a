"""Two worker processes on one database deliver 2,000 reminders, each exactly once."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from journey.due import DueState, delivery_marker
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.tables import delivery_log
from testkit.standins.serve import serve
from testkit.standins.throttling import ThrottlingConnector
from testkit.waiting import finished_while_progressing
from tests.delivery.helpers import add_recipients, just_due, reminder, start_worker_process

# These tests start worker processes of their own and measure rates: xdist runs them one after
# another on one worker, so that they do not compete with each other for the two cores.
pytestmark = pytest.mark.xdist_group("worker_processes")

REMINDERS = 2000
PEOPLE = 200


async def test_two_worker_processes_deliver_every_reminder_exactly_once(
    database_url: str,
) -> None:
    # Two processes, each with its own engine: on PostgreSQL they race through SKIP LOCKED, on
    # SQLite through the file lock, as two deployed instances would.
    standin = ThrottlingConnector(conversation_limits=None, tenant_limits=None, latency=0.002)
    due = just_due()
    reminders = [
        reminder(n, recipient_key=f"user-{n % PEOPLE}", due_at=due) for n in range(REMINDERS)
    ]
    async with serve(standin.app()) as url, await Database.open(database_url) as db:
        await add_recipients(db, url, [f"user-{n}" for n in range(PEOPLE)])
        queue = DueActionQueue(db)
        await queue.schedule_many(reminders)
        workers = [
            await start_worker_process(
                database_url, "--owner", owner, "--unpaced", "--until-idle", "--batch-size", "20"
            )
            for owner in ("instance-a", "instance-b")
        ]
        # As long as requests keep reaching Teams: on a loaded machine that takes minutes.
        outputs = await finished_while_progressing(
            asyncio.gather(*(worker.communicate() for worker in workers)),
            lambda: len(standin.arrivals),
            what="both workers ran out of work",
        )
        counts = await queue.counts()
        async with db.sessions() as session:
            senders = set(await session.scalars(select(delivery_log.c.worker).distinct()))

    assert [worker.returncode for worker in workers] == [0, 0]
    assert [json.loads(out)["owner"] for out, _ in outputs] == ["instance-a", "instance-b"]
    assert counts == {DueState.SENT: REMINDERS}
    received = standin.marker_counts()
    assert sorted(received) == sorted(delivery_marker(r.key) for r in reminders)
    assert set(received.values()) == {1}
    assert len(standin.arrivals) == REMINDERS
    # Both instances did part of the work (otherwise this proves nothing about two).
    assert senders == {"instance-a", "instance-b"}
