"""When a departure's case closes by itself, and the step that closes it (issue 11).

A case ends: once the last working day is over, whatever became of the conversation (held,
declined, never answered, accepted but never booked, booked but never marked held), HR's
`closing.days_after_last_day` pass and the departure moves to CLOSED. A conversation booked
after the last working day (agreed outside the bot) pushes the closing back: the days are
counted from the later of the two, so an open booking in the future never closes. A cancelled
departure is already over and stays cancelled.

"The reminders are done": every reminder of journey.reminders has the end of the last working
day as its deadline, and a case closes at a midnight after that, so none is left to send. What
the queue still holds for a closed departure (a retry, a message nobody needs any more) is
dropped when it closes, as a cancelled departure's is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from journey.clock import Clock
from journey.departure import Departure, DepartureStatus
from journey.due import DueActions
from journey.kernel import Kernel
from journey.notify import FOLLOW_UP_KINDS, MessageKind
from journey.ports import AuditLog, DepartureRepository

DEFAULT_DAYS_AFTER_LAST_DAY = 14
AUDIT_CLOSED = "departure.closed"
SYSTEM = "system"  # the audit log's actor for what the bot does on its own
BATCH = 200  # candidates read per query by the closing job

# What closing a case withdraws: every message of the journey but the follow-ups'.
CASE_KINDS = tuple(kind.value for kind in MessageKind if kind not in FOLLOW_UP_KINDS)

# A closed departure no longer offers anything: no times to pick, no "ask me later".
_CLOSED_CLEARS = {"proposed_slots": [], "remind_offer_at": None, "times_requested_at": None}


@dataclass(frozen=True)
class ClosingRules:
    """A unit's closing setting (config.schema_closing.Closing)."""

    days_after_last_day: int = DEFAULT_DAYS_AFTER_LAST_DAY


def counted_from(departure: Departure) -> date:
    """The day the closing days count from: the last working day, or a later conversation's."""
    day = departure.last_working_day
    meeting = departure.meeting_end or departure.meeting_start
    if meeting is not None:
        day = max(day, meeting.astimezone(departure.zone).date())
    return day


def closes_at(departure: Departure, rules: ClosingRules) -> datetime | None:
    """When the departure closes by itself (UTC): the midnight, on its own wall clock, that ends
    the `days_after_last_day`-th day after the last working day (or a later conversation).
    None for a departure that is already closed or cancelled."""
    if departure.is_over:
        return None
    day = counted_from(departure) + timedelta(days=rules.days_after_last_day + 1)
    return datetime.combine(day, time(0), tzinfo=departure.zone).astimezone(UTC)


def should_close(departure: Departure, rules: ClosingRules, now: datetime) -> bool:
    """Whether the departure is due to close at `now`."""
    at = closes_at(departure, rules)
    return at is not None and now >= at


def closed(departure: Departure, rules: ClosingRules, now: datetime) -> Departure | None:
    """The departure closed at `now`; None when it is not due (or no longer open)."""
    if not should_close(departure, rules, now):
        return None
    return departure.moved_to(DepartureStatus.CLOSED, closed_at=now, **_CLOSED_CLEARS)


def earliest_last_day(today: date, shortest_days: int) -> date:
    """The latest last working day that can be due to close `today` (UTC) in any unit.

    A departure's own wall clock is at most one day ahead of UTC, so a case due now has a last
    working day on or before `today - shortest_days` (see closes_at).
    """
    return today - timedelta(days=shortest_days)


class ClosingCandidates(Protocol):
    """Open departures whose last working day is on or before a day (storage.departures)."""

    async def open_ending_by(
        self, day: date, *, after: tuple[date, str] | None, limit: int
    ) -> Sequence[Departure]:
        """Open departures with last_working_day <= `day`, ordered by (last day, id), after
        the key `after`."""
        ...


class CaseClosing:
    """Closes the departures that are due, once each, whichever instance gets there first."""

    def __init__(
        self,
        *,
        departures: DepartureRepository,
        candidates: ClosingCandidates,
        audit: AuditLog,
        clock: Clock,
        due: DueActions,
        rules: Callable[[str], ClosingRules],
        shortest_days: Callable[[], int],
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        self._candidates = candidates
        self._clock = clock
        self._due = due
        self._rules = rules
        self._shortest_days = shortest_days

    async def close_if_due(self, departure_id: str) -> bool:
        """Close the departure if it is due; True only for the call whose save closed it.

        The rule is applied to the stored departure with the version check: a second instance
        that read it before the first closed it reads it again, finds it closed and does
        nothing, so the audit entry and the dropping of due actions happen once.
        """
        now = self._clock.now()
        saved = await self._kernel.apply(
            departure_id, lambda d: closed(d, self._rules(d.unit), now)
        )
        if not saved.changed:
            return False
        before = saved.before.status.value
        await self._kernel.record(SYSTEM, AUDIT_CLOSED, departure_id, was=before)
        # Nothing more is sent about a closed case; its follow-ups are the organisation's
        # promise and outlive it (issue 14), with their owners' cards and reminders.
        await self._due.cancel(departure_id, kinds=CASE_KINDS)
        return True

    async def close_due(self) -> int:
        """One round: every open departure that is due closes; how many this call closed."""
        now = self._clock.now()
        last_day = earliest_last_day(now.astimezone(UTC).date(), self._shortest_days())
        count, after = 0, None
        while True:
            batch = await self._candidates.open_ending_by(last_day, after=after, limit=BATCH)
            for departure in batch:
                if should_close(departure, self._rules(departure.unit), now):
                    count += await self.close_if_due(departure.id)
            if len(batch) < BATCH:
                return count
            after = (batch[-1].last_working_day, batch[-1].id)
