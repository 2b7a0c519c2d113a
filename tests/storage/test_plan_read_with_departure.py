"""A click reads the departure's stored plan of due actions with the departure, in one statement,
and re-plans against it at the turn's end without reading it again (storage.stored_plans), on
both databases. What a person notices stays as it was: a reminder the click moves is moved, one
no longer wanted is withdrawn, and one the delivery worker took meanwhile is neither reset nor
sent twice, also when the worker gave it back between the click's read and its write."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import event

from journey.clock import FixedClock
from journey.departure import DepartureStatus
from journey.due import CardToRender, DueState, ScheduledAction
from journey.ports import ConcurrentUpdate
from storage import stored_plans
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.due_actions import DueActionQueue
from tests.storage.samples import departure

T0 = datetime(2026, 4, 28, 6, 0, tzinfo=UTC)
DEPARTURE = "dep-plan"
KINDS = ("handover", "thank_you")
WORKER = "worker-a"
T = TypeVar("T")


def planned(kind: str, *, at: datetime = T0, days: int = 0) -> ScheduledAction:
    return ScheduledAction(
        key=f"{DEPARTURE}:{kind}",
        kind=kind,
        recipient_key="ida.leaver@contoso.dk",
        due_at=at,
        payload=CardToRender(days=days).payload(),
        departure_id=DEPARTURE,
    )


def elsewhere(work: Awaitable[T]) -> asyncio.Task[T]:
    """Work of another task (the delivery worker, another turn): outside this turn's unit."""

    async def run() -> T:
        return await work

    return asyncio.create_task(run())


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement run with a table, in order (not a connection's ping)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        words = " ".join(statement.split())
        if " FROM " in words or not words.upper().startswith("SELECT"):
            seen.append(words)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
async def repo(db: Database, clock: FixedClock) -> SqlDepartureRepository:
    repository = SqlDepartureRepository(db, clock, plans=True)
    await repository.add(departure(id=DEPARTURE))
    return repository


@pytest.fixture
def queue(db: Database, clock: FixedClock) -> DueActionQueue:
    return DueActionQueue(db, clock)


async def state_of(queue: DueActionQueue, kind: str) -> tuple[DueState, datetime] | None:
    found = await elsewhere(queue.get_by_key(f"{DEPARTURE}:{kind}"))
    return None if found is None else (found.state, found.due_at)


async def test_a_click_re_plans_against_the_plan_read_with_the_departure(
    db: Database, repo: SqlDepartureRepository, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, [planned("handover"), planned("thank_you")], KINDS)
    moved = T0 + timedelta(days=2)

    with statements(db) as seen:
        async with db.unit_of_work():
            await repo.get(DEPARTURE)
            await queue.replan(DEPARTURE, [planned("handover", at=moved)], KINDS)

    reads = [statement for statement in seen if statement.startswith("SELECT")]
    assert len(reads) == 1 and reads[0].startswith("SELECT departures.id")
    assert await state_of(queue, "handover") == (DueState.PENDING, moved)
    assert await state_of(queue, "thank_you") == (DueState.CANCELLED, T0)


async def test_the_plan_read_with_the_departure_is_the_plan_as_stored(
    db: Database, repo: SqlDepartureRepository, queue: DueActionQueue
) -> None:
    lasting = planned("handover", at=T0 + timedelta(microseconds=123457)).model_copy(
        update={
            "payload": {"type": "message", "text": "Tak, Ærø – 東京", "nested": [1, 2.5, None]},
            "expires_at": T0 + timedelta(days=3, microseconds=1),
            "resend_if_unknown": True,
        }
    )
    await queue.reschedule(DEPARTURE, [lasting, planned("thank_you")], KINDS)
    await queue.cancel(DEPARTURE, ["thank_you"])

    async with db.unit_of_work() as unit:
        await repo.get(DEPARTURE)
        read = stored_plans.recall(unit.remembered, DEPARTURE)
        async with db.reading() as connection:
            stored = await stored_plans.stored_plan(connection, DEPARTURE)

    assert read is not None and sorted(read) == sorted(
        stored_plans.StoredAction(*row) for row in stored
    )
    assert {item.state for item in read} == {DueState.PENDING.value, DueState.CANCELLED.value}


async def test_a_reminder_given_back_by_the_worker_after_the_read_is_moved(
    db: Database, repo: SqlDepartureRepository, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, [planned("handover")], KINDS)
    [held] = await elsewhere(queue.claim(WORKER, 10, 60))
    moved = T0 + timedelta(days=2)

    async with db.unit_of_work():
        await repo.get(DEPARTURE)  # the plan as read: the handover claimed by the worker
        assert await elsewhere(queue.release(held.id, WORKER, None))  # e.g. a shutdown
        await queue.replan(DEPARTURE, [planned("handover", at=moved)], KINDS)

    assert await state_of(queue, "handover") == (DueState.PENDING, moved)


async def test_a_reminder_no_longer_wanted_that_failed_and_waits_for_a_retry_is_withdrawn(
    db: Database, repo: SqlDepartureRepository, queue: DueActionQueue
) -> None:
    tomorrow = T0 + timedelta(days=1)
    await queue.reschedule(
        DEPARTURE, [planned("handover", at=tomorrow), planned("thank_you")], KINDS
    )
    [thank_you] = await elsewhere(queue.claim(WORKER, 10, 60))
    assert await elsewhere(queue.mark_sending(thank_you.id, WORKER, 60)) == 1

    async with db.unit_of_work():
        await repo.get(DEPARTURE)  # the plan as read: the thank-you being sent
        retry = T0 + timedelta(minutes=5)
        assert await elsewhere(queue.settle_failed(thank_you.id, WORKER, "throttled", retry))
        await queue.replan(DEPARTURE, [planned("handover", at=tomorrow)], KINDS)

    assert await state_of(queue, "thank_you") == (DueState.CANCELLED, T0)
    assert await elsewhere(queue.claim(WORKER, 10, 3600)) == []  # it does not go after all


async def test_a_reminder_sent_after_the_read_is_neither_reset_nor_sent_again(
    db: Database, repo: SqlDepartureRepository, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, [planned("handover")], KINDS)

    async with db.unit_of_work():
        await repo.get(DEPARTURE)  # the plan as read: the handover pending
        [handover] = await elsewhere(queue.claim(WORKER, 10, 60))
        assert await elsewhere(queue.mark_sending(handover.id, WORKER, 60)) == 1
        assert await elsewhere(queue.mark_sent(handover.id, WORKER, "activity-1"))
        await queue.replan(DEPARTURE, [planned("handover", at=T0 + timedelta(days=2))], KINDS)

    assert await state_of(queue, "handover") == (DueState.SENT, T0)
    assert await elsewhere(queue.claim(WORKER, 10, 60)) == []


async def test_a_write_of_the_turns_own_makes_the_plan_read_old(
    db: Database, repo: SqlDepartureRepository, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, [planned("handover")], KINDS)

    async with db.unit_of_work():
        await repo.get(DEPARTURE)  # the plan as read: the handover pending
        assert await queue.cancel(DEPARTURE) == 1
        await queue.replan(DEPARTURE, [planned("handover")], KINDS)  # wanted again

    assert await state_of(queue, "handover") == (DueState.PENDING, T0)


async def test_a_save_that_finds_another_version_forgets_the_plan_read(
    db: Database, clock: FixedClock, repo: SqlDepartureRepository, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, [planned("handover")], KINDS)
    other = SqlDepartureRepository(db, clock)

    async with db.unit_of_work():
        read = await repo.get(DEPARTURE)
        # Another turn saves the departure first and plans a thank-you for it.
        changed = read.model_copy(update={"status": DepartureStatus.ACCEPTED})
        await elsewhere(other.update(changed))
        await elsewhere(queue.reschedule(DEPARTURE, [planned("handover"), planned("thank_you")]))
        with pytest.raises(ConcurrentUpdate):
            await repo.update(changed)
        await queue.replan(DEPARTURE, [planned("handover")], KINDS)

    assert await state_of(queue, "thank_you") == (DueState.CANCELLED, T0)


async def test_other_reads_of_a_departure_do_not_read_its_plan(
    db: Database, clock: FixedClock, repo: SqlDepartureRepository
) -> None:
    plain = SqlDepartureRepository(db, clock)  # e.g. the delivery worker's, drawing cards

    with statements(db) as seen:
        async with db.unit_of_work() as unit:
            await plain.get(DEPARTURE)
            assert (stored_plans.REMEMBERED, DEPARTURE) not in unit.remembered
        await repo.get(DEPARTURE)  # outside a turn

    assert seen and not [statement for statement in seen if "due_actions" in statement]
