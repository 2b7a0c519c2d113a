"""Times for the conversation: found in both calendars, offered, and the booked one cancelled.

The calendar side of journey.flow: which times are free for the leaver and the interviewer
(journey.booking's rules over the calendar's busy times), saving the times offered, and taking
a booked meeting out of the calendar again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from journey import booking
from journey.booking import UnitRules
from journey.clock import Clock
from journey.departure import Departure, DepartureStatus
from journey.kernel import Kernel
from journey.notify import JourneyNotifier
from journey.people import BusyInterval, Calendar
from journey.plan_change_rules import meeting_to_cancel, require_not_begun
from journey.refusals import StaleAction
from journey.slots import Slot


@dataclass(frozen=True)
class Proposal:
    """Times offered to the leaver; none means the interviewer was asked for times."""

    departure: Departure
    slots: list[Slot]


@dataclass(frozen=True)
class Booked:
    """The conversation is in both calendars."""

    departure: Departure


@dataclass(frozen=True)
class SlotTaken:
    """The picked time was taken meanwhile; nothing was booked, here are new times."""

    departure: Departure
    slots: list[Slot]


class Times:
    """Free times for both people, offered and saved; a booked meeting cancelled."""

    def __init__(
        self,
        *,
        kernel: Kernel,
        calendar: Calendar,
        clock: Clock,
        rules: Callable[[str], UnitRules],
        notifier: JourneyNotifier,
    ) -> None:
        self._kernel = kernel
        self._calendar = calendar
        self._clock = clock
        self._rules = rules
        self._notifier = notifier

    async def busy(
        self, departure: Departure, start: datetime, end: datetime
    ) -> list[BusyInterval]:
        """When the leaver or the interviewer is busy between `start` and `end`."""
        people = [departure.leaver_upn]
        if departure.interviewer_upn:
            people.append(departure.interviewer_upn)
        found = await self._calendar.busy_times(people, start, end)
        return [interval for intervals in found.values() for interval in intervals]

    async def find(
        self,
        departure: Departure,
        *,
        following: bool = False,
        exclude: Iterable[Slot] = (),
        count: int = booking.SLOT_COUNT,
    ) -> list[Slot]:
        """Up to `count` times free for both, from the unit's search window."""
        rules = self._rules(departure.unit)
        search = booking.search_for(departure, rules, self._clock.now(), following=following)
        if search is None:
            return []
        busy = await self.busy(departure, search.start, search.end)
        return booking.propose(departure, rules, search, busy, exclude=exclude, count=count)

    async def free_now(self, departure: Departure) -> dict[str, Slot]:
        """Every time free for both right now, by slot key (what the interviewer chose from)."""
        rules = self._rules(departure.unit)
        search = booking.search_for(departure, rules, self._clock.now())
        if search is None:
            return {}
        busy = await self.busy(departure, search.start, search.end)
        return {slot.key: slot for slot in booking.free_for_both(departure, rules, search, busy)}

    async def propose(
        self,
        departure_id: str,
        *,
        exclude: Sequence[Slot] = (),
        first: Callable[[Departure], Departure] | None = None,
    ) -> Proposal:
        """Find times for both and offer them; with none, ask the interviewer for times.

        `first` is a change saved together with the times (the leaver's choice of interviewer):
        the times are found for the departure as it makes it, and one save writes both.
        """
        departure = await self._kernel.get(departure_id)
        slots = await self.find(first(departure) if first else departure, exclude=exclude)
        now = self._clock.now()

        def offer_times(d: Departure) -> Departure:
            changed = booking.with_proposals(first(d) if first else d, slots)
            return changed.changed(times_requested_at=None if slots else now)

        saved = await self._kernel.update(departure_id, offer_times)
        if not slots:
            await self._notifier.ask_for_times(saved)
        return Proposal(saved, slots)

    async def drop_meeting(self, departure: Departure) -> None:
        """Take the departure's meeting out of the calendars (the attendees are told), unless
        its time has come: a meeting that happened is history, not a plan."""
        meeting = meeting_to_cancel(departure, self._clock.now())
        if meeting is not None:
            await self._calendar.cancel_meeting(*meeting)

    async def cancel_meeting(self, departure: Departure) -> Slot:
        """Cancel the booked meeting and go back to ACCEPTED; the slot it had."""
        # A time agreed outside the bot has no event of the bot's to cancel, only its time.
        if departure.status is not DepartureStatus.BOOKED or not departure.meeting_start:
            raise StaleAction("no booked conversation to change")
        require_not_begun(departure, self._clock.now())  # its time has come: it stays
        assert departure.meeting_end is not None
        old = Slot(start=departure.meeting_start, end=departure.meeting_end)
        event_id = departure.meeting_event_id
        if event_id and departure.interviewer_upn:
            await self._calendar.cancel_meeting(departure.interviewer_upn, event_id)

        def unbook(d: Departure) -> Departure:
            if d.meeting_event_id != event_id:
                raise StaleAction("the booking changed meanwhile")
            return booking.unbook(d)

        await self._kernel.update(departure.id, unbook)
        return old
