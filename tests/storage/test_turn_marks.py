"""A handled click's audit row is its handled mark (storage/turns.py, issue 13), on SQLite and
PostgreSQL: the turn's end writes no UPDATE of seen_activities, and a re-send of the click is
still dropped, while it runs and after its claim's lease ran out; a give-back or a take-over
never undoes a committed turn; a turn whose end fails, or that crashed, runs again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from journey.clock import FixedClock
from journey.ports import AuditEntry
from storage import turns
from storage.activities import SeenActivities
from storage.audit import SqlAuditLog
from storage.database import Database
from storage.tables import audit_log, seen_activities
from storage.turns import TurnStart
from testkit.sql_statements import statements_run
from testkit.waiting import wait_until

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
AFTER_THE_LEASE = turns.TURN_LEASE + timedelta(seconds=1)
DEPARTURE = "dep-1"


def entry(action: str) -> AuditEntry:
    return AuditEntry(at=NOW, actor="leaver@contoso.example", action=action, departure_id=DEPARTURE)


async def actions(db: Database) -> list[str]:
    return [e.action for e in await SqlAuditLog(db).for_departure(DEPARTURE)]


async def click(db: Database, start: TurnStart, key: str, action: str = "offer.accepted") -> bool:
    """One click's turn as the adapter runs it: claim, record, settle handled; whether it ran."""
    async with db.unit_of_work():
        if not (await start.begin(key, "aad-1", "29:1")).first:
            return False
        await SqlAuditLog(db).record(entry(action))
        await start.settle(key, handled=True)
    return True


async def test_a_clicks_audit_row_marks_it_handled_without_a_statement_of_its_own(
    db: Database,
) -> None:
    clock = FixedClock(NOW)
    start = TurnStart(db, clock)
    with statements_run(db) as seen:
        assert await click(db, start, "c|1")
    assert not [s for s in seen if s.lstrip().upper().startswith("UPDATE")]
    assert [s.split()[0].upper() for s in seen if "seen_activities" in s] == ["INSERT"]
    async with db.reading() as connection:
        marks = (await connection.execute(select(audit_log.c.activity_id))).scalars().all()
    assert marks == ["c|1"]
    # Teams re-sends the click at once, and again after its claim's lease ran out: dropped.
    assert not await click(db, start, "c|1")
    clock.advance(seconds=AFTER_THE_LEASE.total_seconds())
    assert not await click(db, start, "c|1")
    assert await actions(db) == ["offer.accepted"]  # done once


async def test_a_resend_while_the_click_runs_waits_and_is_then_dropped(db: Database) -> None:
    start = TurnStart(db, FixedClock(NOW))
    async with db.unit_of_work():
        assert (await start.begin("c|2", "aad-1", "29:1")).first
        # The re-send arrives on its own connection while the click is still running.
        with statements_run(db) as seen:
            resend = asyncio.create_task(click(db, start, "c|2"))

            def waiting() -> bool:  # it found the claim held and looks again
                return sum("FROM seen_activities" in statement for statement in seen) >= 2

            await wait_until(waiting, what="the re-send waits for the click")
        await SqlAuditLog(db).record(entry("offer.accepted"))
        assert not resend.done()  # it waits for the click's outcome
        await start.settle("c|2", handled=True)
    assert not await asyncio.wait_for(resend, timeout=turns.IN_PROGRESS_WAIT)  # dropped
    assert await actions(db) == ["offer.accepted"]


class Broken:
    """A gathering whose write fails: the turn's last transaction fails with it."""

    def __bool__(self) -> bool:
        return True

    async def write(self, connection: AsyncConnection) -> None:
        raise RuntimeError("the end of the turn failed")


async def test_a_click_whose_end_fails_gives_its_claim_back_and_the_retry_runs(
    db: Database,
) -> None:
    start = TurnStart(db, FixedClock(NOW))
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as unit:
            assert (await start.begin("c|3", "aad-1", "29:1")).first
            await SqlAuditLog(db).record(entry("offer.accepted"))
            unit.gathered("broken", Broken)
            await start.settle("c|3", handled=True)  # fails: nothing of the end is written
    assert await actions(db) == []
    # Teams' retry runs the click at once (no wait for the lease), once.
    assert await click(db, start, "c|3")
    assert not await click(db, start, "c|3")
    assert await actions(db) == ["offer.accepted"]


async def test_a_crashed_click_is_taken_over_after_its_lease(db: Database) -> None:
    clock = FixedClock(NOW)
    start = TurnStart(db, clock)
    assert (await start.begin("c|4", "aad-1", "29:1")).first  # then the process died
    clock.advance(seconds=AFTER_THE_LEASE.total_seconds())
    assert await click(db, start, "c|4")
    assert not await click(db, start, "c|4")
    assert await actions(db) == ["offer.accepted"]


async def test_a_give_back_or_take_over_never_undoes_a_committed_click(db: Database) -> None:
    clock = FixedClock(NOW)
    start = TurnStart(db, clock)
    assert await click(db, start, "c|5")
    # A late give-back of the same id (a try that took over and then failed) deletes nothing.
    await start.settle("c|5", handled=False)
    clock.advance(seconds=AFTER_THE_LEASE.total_seconds())
    async with db.reading() as connection:
        claims = (await connection.execute(select(seen_activities.c.activity_id))).all()
    assert len(claims) == 1
    assert not await click(db, start, "c|5")
    assert await actions(db) == ["offer.accepted"]


async def test_a_failed_turns_audit_rows_do_not_mark_it(db: Database) -> None:
    start = TurnStart(db, FixedClock(NOW))
    async with db.unit_of_work():
        assert (await start.begin("c|6", "aad-1", "29:1")).first
        await SqlAuditLog(db).record(entry("booking.slot_taken"))
        await start.settle("c|6", handled=False)  # the turn failed: its rows stay, unmarked
    assert await click(db, start, "c|6", "booking.picked")  # Teams' retry runs the turn
    assert await actions(db) == ["booking.slot_taken", "booking.picked"]


async def test_the_prune_forgets_a_claim_and_its_mark_together(db: Database) -> None:
    clock = FixedClock(NOW)
    start = TurnStart(db, clock)
    assert await click(db, start, "c|old")
    clock.advance(minutes=90)
    assert await click(db, start, "c|new")
    assert await SeenActivities(db, clock).prune_older_than(timedelta(minutes=60)) == 1
    async with db.reading() as connection:
        rows: list[Any] = (
            await connection.execute(
                select(audit_log.c.action, audit_log.c.activity_id).order_by(audit_log.c.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [("offer.accepted", None), ("offer.accepted", "c|new")]
