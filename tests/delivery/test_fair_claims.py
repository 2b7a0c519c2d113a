"""Claims that are fair across chats and carry their own name, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from journey.clock import FixedClock
from journey.due import DueState, ScheduledAction
from storage.database import Database
from storage.delivery_queue import claim_name
from storage.due_actions import DueActionQueue
from storage.tables import delivery_log
from tests.delivery.helpers import T0, reminder

HOT = "hr-person"  # an interviewer with a reminder about each of sixty leavers


def _hot_and_cold(hot: int, cold: int) -> list[ScheduledAction]:
    # The busy chat's reminders are due first, as in issue 12's 81 s run.
    early = T0 - timedelta(minutes=5)
    return [reminder(1000 + n, recipient_key=HOT, due_at=early) for n in range(hot)] + [
        reminder(n) for n in range(cold)
    ]


async def test_one_busy_chat_takes_a_few_places_in_a_claim_not_all(
    queue: DueActionQueue,
) -> None:
    await queue.schedule_many(_hot_and_cold(60, 30))

    first = await queue.claim("worker-a", 10, 60, per_recipient=3)

    assert [a.recipient_key for a in first].count(HOT) == 3
    assert len(first) == 10
    # While the busy chat's three are under way, the next claim (any instance's) takes none
    # of its others: it waits for its own chat, the rest of the queue does not.
    second = await queue.claim("worker-b", 10, 60, per_recipient=3)
    assert len(second) == 10 and HOT not in {a.recipient_key for a in second}
    assert {a.id for a in first}.isdisjoint(a.id for a in second)


async def test_a_busy_chat_is_claimed_again_once_its_actions_are_settled(
    queue: DueActionQueue,
) -> None:
    await queue.schedule_many(_hot_and_cold(5, 0))
    first = await queue.claim("worker-a", 10, 60, per_recipient=3)
    assert await queue.claim("worker-a", 10, 60, per_recipient=3) == []

    for action in first:
        assert await queue.mark_sending(action.id, "worker-a", 60) == 1
        assert await queue.mark_sent(action.id, "worker-a", f"activity-{action.id}")

    rest = await queue.claim("worker-a", 10, 60, per_recipient=3)
    assert len(rest) == 2 and {a.recipient_key for a in rest} == {HOT}
    assert await queue.counts() == {DueState.SENT: 3, DueState.CLAIMED: 2}


async def test_a_dead_workers_expired_claim_does_not_keep_its_chat_busy(
    queue: DueActionQueue, clock: FixedClock
) -> None:
    await queue.schedule_many(_hot_and_cold(2, 0))
    [dead] = await queue.claim("dead-worker", 1, 30, per_recipient=1)
    clock.advance(seconds=31)

    taken = await queue.claim("worker-b", 10, 60, per_recipient=1)

    # Its own action first (due first), and nothing else of that chat while it is held.
    assert [a.id for a in taken] == [dead.id]


async def test_without_fairness_a_claim_takes_oldest_first(queue: DueActionQueue) -> None:
    await queue.schedule_many(_hot_and_cold(12, 5))

    taken = await queue.claim("worker-a", 10, 60)

    assert {a.recipient_key for a in taken} == {HOT}


async def test_a_claim_taken_back_from_oneself_leaves_the_earlier_job_nothing_to_do(
    db: Database, queue: DueActionQueue, clock: FixedClock
) -> None:
    # The worker stalled past its own lease and claimed the action again: the job of the
    # earlier claim must not send it as well (issue 12: "a reminder arrived twice").
    await queue.schedule(reminder(1))
    earlier, later = claim_name("worker-a", 1), claim_name("worker-a", 2)
    [stale] = await queue.claim(earlier, 10, 30)
    clock.advance(seconds=31)
    [fresh] = await queue.claim(later, 10, 30)
    assert fresh.id == stale.id

    assert await queue.mark_sending(stale.id, earlier, 60) is None
    assert await queue.mark_sending(fresh.id, later, 60) == 1
    assert await queue.mark_sent(stale.id, earlier, "activity-stale") is False
    assert await queue.mark_sent(fresh.id, later, "activity-1") is True
    [action] = await queue.for_departure("dep-1")
    assert (action.state, action.sent_activity_id) == (DueState.SENT, "activity-1")
    async with db.sessions() as session:  # HR's log names the worker, not its claim
        assert set(await session.scalars(select(delivery_log.c.worker))) == {"worker-a"}


async def test_what_a_worker_is_still_working_on_is_not_handed_back_to_it(
    queue: DueActionQueue, clock: FixedClock
) -> None:
    await queue.schedule(reminder(1))
    [mine] = await queue.claim(claim_name("worker-a", 1), 10, 30)
    clock.advance(seconds=31)

    assert await queue.claim(claim_name("worker-a", 2), 10, 30, besides=[mine.id]) == []
    # Another worker may take it over: the first one's lease ran out.
    [theirs] = await queue.claim("worker-b", 10, 30, besides=[])
    assert theirs.id == mine.id


async def test_two_instances_claim_fairly_and_disjointly(
    database_url: str, clock: FixedClock
) -> None:
    async with (
        await Database.open(database_url) as first,
        await Database.open(database_url) as second,
    ):
        a, b = DueActionQueue(first, clock), DueActionQueue(second, clock)
        await a.schedule_many(_hot_and_cold(40, 60))

        batches = await asyncio.gather(
            a.claim("a", 10, 60, per_recipient=3), b.claim("b", 10, 60, per_recipient=3)
        )

    taken = [action for batch in batches for action in batch]
    assert len({action.id for action in taken}) == len(taken) == 20
    assert [action.recipient_key for action in taken].count(HOT) <= 3
