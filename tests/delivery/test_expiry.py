"""A message that lost its moment is not sent late: the worker settles it as skipped, on HR's
timeline, and Teams receives nothing (issue 11: after downtime or a clock jump)."""

from __future__ import annotations

from datetime import timedelta

from journey.clock import FixedClock
from journey.due import DueState, ErrorCode, Outcome
from storage.database import Database
from storage.due_actions import DueActionQueue
from testkit.standins.throttling import ThrottlingConnector
from tests.delivery.helpers import T0, WorkerFactory, add_recipients, reminder

Teams = tuple[ThrottlingConnector, str]


async def test_a_reminder_claimed_after_its_moment_is_skipped_and_logged_not_sent(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    # Due at 08:00 for a conversation at 09:30; the worker only gets to it at 11:59.
    await queue.schedule(reminder(1, expires_at=T0 + timedelta(hours=1, minutes=30)))
    clock.advance(hours=3, minutes=59)
    worker = make_worker(db)

    assert await worker.run_once() == 1

    assert standin.arrivals == []
    [action] = await queue.for_departure("dep-1")
    assert (action.state, action.last_error) == (DueState.SKIPPED, ErrorCode.EXPIRED.value)
    assert action.sent_activity_id is None
    [event] = await queue.timeline("dep-1")
    assert (event.outcome, event.code, event.status) == (Outcome.SKIPPED, "expired", None)
    assert event.at == clock.now()
    # Final: never claimed or sent again, and a replan cannot revive it.
    assert await queue.schedule(reminder(1, expires_at=T0 + timedelta(hours=1))) is False
    assert await worker.run_once() == 0
    assert standin.arrivals == []


async def test_a_reminder_within_its_moment_is_sent(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1", "user-2"])
    await queue.schedule(reminder(1, expires_at=T0 + timedelta(hours=1, minutes=30)))
    await queue.schedule(reminder(2))  # no moment to lose: sent however late
    clock.advance(hours=1, minutes=29)

    assert await make_worker(db).run_once() == 2

    assert len(standin.delivered) == 2
    for number in (1, 2):
        [action] = await queue.for_departure(f"dep-{number}")
        assert action.state is DueState.SENT
        [event] = await queue.timeline(f"dep-{number}")
        assert event.outcome is Outcome.SENT


async def test_a_moved_reminder_takes_its_new_moment(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    """Re-planning (a conversation moved later) moves the moment after which it is pointless."""
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1, expires_at=T0 + timedelta(minutes=30)))
    await queue.schedule(reminder(1, expires_at=T0 + timedelta(days=1)))
    clock.advance(hours=2)

    assert await make_worker(db).run_once() == 1

    assert len(standin.delivered) == 1
    [action] = await queue.for_departure("dep-1")
    assert action.state is DueState.SENT
