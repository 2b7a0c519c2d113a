"""A departure closes by itself once its case is over (journey.closing), on a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journey.clock import FixedClock
from journey.closing import (
    AUDIT_CLOSED,
    CaseClosing,
    ClosingRules,
    closes_at,
    should_close,
)
from journey.departure import Departure, DepartureStatus, Reach
from journey.refusals import DepartureClosed, refuse_if_closed
from testkit.fakes import FakeAuditLog, FakeDepartureRepository

CPH = ZoneInfo("Europe/Copenhagen")
LAST_DAY = date(2026, 12, 18)  # a Friday
RULES = ClosingRules()  # 14 days
# 14 days after the last working day are over at midnight, Copenhagen time, on 2 January.
CLOSES = datetime(2027, 1, 2, 0, 0, tzinfo=CPH)


def departure(status: DepartureStatus = DepartureStatus.OFFERED, **values: object) -> Departure:
    fields: dict[str, object] = {
        "leaver_upn": "sofie@contoso.example",
        "manager_upn": "mads@contoso.example",
        "unit": "social-care",
        "last_working_day": LAST_DAY,
        "status": status,
        "created_at": datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
    }
    return Departure(**(fields | values))


def meeting(start: datetime) -> dict[str, object]:
    return {
        "interviewer_upn": "peter@contoso.example",
        "meeting_start": start,
        "meeting_end": start + timedelta(hours=1),
        "meeting_event_id": "event-1",
    }


PAST_MEETING = meeting(datetime(2026, 12, 15, 9, 0, tzinfo=UTC))

CLOSING_CASES = {
    "held": departure(DepartureStatus.HELD, **PAST_MEETING),
    "declined": departure(DepartureStatus.DECLINED),
    "offer never answered": departure(DepartureStatus.OFFERED),
    "offer never reached the leaver": departure(DepartureStatus.REGISTERED, reach=Reach.BLOCKED),
    "accepted, never booked": departure(DepartureStatus.ACCEPTED),
    "booked, time passed, never marked held": departure(DepartureStatus.BOOKED, **PAST_MEETING),
}


@pytest.mark.parametrize("case", CLOSING_CASES.values(), ids=CLOSING_CASES.keys())
def test_each_case_that_is_over_closes_fourteen_days_after_the_last_day(case: Departure) -> None:
    assert closes_at(case, RULES) == CLOSES.astimezone(UTC)
    assert not should_close(case, RULES, CLOSES - timedelta(seconds=1))
    assert should_close(case, RULES, CLOSES)


def test_hrs_days_move_the_closing_and_zero_closes_the_night_after_the_last_day() -> None:
    case = departure(DepartureStatus.DECLINED)
    assert closes_at(case, ClosingRules(days_after_last_day=30)) == datetime(
        2027, 1, 18, tzinfo=CPH
    )
    assert closes_at(case, ClosingRules(days_after_last_day=0)) == datetime(
        2026, 12, 19, tzinfo=CPH
    )


def test_the_closing_day_is_on_the_leavers_own_wall_clock() -> None:
    new_york = departure(DepartureStatus.DECLINED, time_zone="America/New_York")
    assert closes_at(new_york, RULES) == datetime(2027, 1, 2, 5, 0, tzinfo=UTC)


def test_an_open_booking_in_the_future_does_not_close() -> None:
    # A conversation agreed for after the last working day: the days count from it.
    later = departure(DepartureStatus.BOOKED, **meeting(datetime(2027, 1, 20, 9, 0, tzinfo=UTC)))
    assert not should_close(later, RULES, CLOSES)
    assert not should_close(later, RULES, datetime(2027, 1, 21, tzinfo=UTC))
    assert closes_at(later, RULES) == datetime(2027, 2, 4, tzinfo=CPH)


@pytest.mark.parametrize("status", [DepartureStatus.CANCELLED, DepartureStatus.CLOSED])
def test_a_cancelled_or_closed_departure_never_closes_again(status: DepartureStatus) -> None:
    over = departure(status)
    assert closes_at(over, RULES) is None
    assert not should_close(over, RULES, CLOSES + timedelta(days=400))


def test_a_closed_departure_refuses_every_change() -> None:
    closed = departure(DepartureStatus.CLOSED)
    with pytest.raises(DepartureClosed):
        refuse_if_closed(closed)
    cancelled = departure(DepartureStatus.CANCELLED)
    assert refuse_if_closed(cancelled) is cancelled  # cancelled ones refuse as stale cards do


class Queue:
    """journey.due.DueActions: only what closing uses, recorded."""

    def __init__(self) -> None:
        self.cancelled: list[str] = []

    async def cancel(self, departure_id: str, kinds: Iterable[str] | None = None) -> int:
        self.cancelled.append(departure_id)
        return 1


class Candidates:
    """journey.closing.ClosingCandidates over the fake repository."""

    def __init__(self, repo: FakeDepartureRepository) -> None:
        self.repo = repo

    async def open_ending_by(
        self, day: date, *, after: tuple[date, str] | None, limit: int
    ) -> Sequence[Departure]:
        found = sorted(
            (d for d in await self.repo.list_open(limit=10_000) if d.last_working_day <= day),
            key=lambda d: (d.last_working_day, d.id),
        )
        return [d for d in found if after is None or (d.last_working_day, d.id) > after][:limit]


def closing(
    repo: FakeDepartureRepository, audit: FakeAuditLog, clock: FixedClock, queue: Queue
) -> CaseClosing:
    return CaseClosing(
        departures=repo,
        candidates=Candidates(repo),
        audit=audit,
        clock=clock,
        due=queue,  # type: ignore[arg-type]
        rules=lambda _unit: RULES,
        shortest_days=lambda: RULES.days_after_last_day,
    )


async def test_the_service_closes_what_is_due_once_and_leaves_the_rest() -> None:
    clock = FixedClock(CLOSES.astimezone(UTC))
    repo, audit, queue = FakeDepartureRepository(clock), FakeAuditLog(), Queue()
    due = [
        await repo.add(case.model_copy(update={"id": f"due-{n}"}))
        for n, case in enumerate(CLOSING_CASES.values())
    ]
    later_day = await repo.add(departure(id="later", last_working_day=date(2026, 12, 21)))
    cancelled = await repo.add(departure(DepartureStatus.CANCELLED, id="cancelled"))
    future = await repo.add(
        departure(
            DepartureStatus.BOOKED, id="future", **meeting(datetime(2027, 1, 20, 9, tzinfo=UTC))
        )
    )
    # Two instances at once: each departure closes once, with one audit entry.
    first, second = closing(repo, audit, clock, queue), closing(repo, audit, clock, queue)
    counts = await asyncio.gather(first.close_due(), second.close_due())
    assert sum(counts) == len(due)
    for case in due:
        stored = await repo.get(case.id)
        assert stored.status is DepartureStatus.CLOSED and stored.closed_at == clock.now()
        assert audit.actions(case.id).count(AUDIT_CLOSED) == 1
    assert sorted(queue.cancelled) == sorted(case.id for case in due)
    for kept in (later_day, cancelled, future):
        assert (await repo.get(kept.id)).status is kept.status
        assert audit.actions(kept.id) == []
    assert await first.close_due() == 0  # nothing is closed twice
