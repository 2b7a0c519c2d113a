"""How and where the conversation is held: in person at a place, or agreed outside the bot.

Seed 003 asks for calm, undisturbed surroundings: the person holding the conversation may
set a place instead of a Teams meeting. A booked Teams meeting becomes a new event in person
at the same time (Graph keeps an event's Teams meeting once it has one, so the old event is
cancelled); before booking, the place waits for the booking, which then invites in person.
A conversation agreed outside the bot is recorded as booked (a time, perhaps a place, no
event of the bot's) or as held, which leads on to the notes and the thank-you.

Only the interviewer and HR may do either; the leaver is told, the reminders follow. Short
notice (journey.short_notice): when no time is free before a last day today or tomorrow, HR
is told once, and the leaver is offered the survey by the dialog.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Literal, Protocol

from journey import short_notice
from journey.access import Act, Asker, Role, may, roles_of
from journey.clock import Clock
from journey.departure import MEETING_PLACE_MAX, Departure, DepartureStatus, MeetingMode
from journey.kernel import Kernel, Refusal
from journey.people import Calendar, CreatedMeeting
from journey.ports import AuditLog, DepartureRepository
from journey.refusals import JourneyRefusal, Reason, StaleAction

PlaceProblem = Literal["empty", "control", "too_long"]
TimeProblem = Literal["past", "after_last_day"]
# Where a place may be changed: the interviewer is chosen, the conversation not yet begun.
_PLACE_OPEN = frozenset({DepartureStatus.ACCEPTED, DepartureStatus.BOOKED})
# Whence a conversation agreed outside the bot may be recorded (journey.departure.TRANSITIONS).
_OUTSIDE_FROM = frozenset(
    {DepartureStatus.OFFERED, DepartureStatus.ACCEPTED, DepartureStatus.DECLINED}
)


class PlaceRefused(JourneyRefusal):
    """A place that is empty, too long or has control characters; nothing changed."""

    def __init__(self, problem: PlaceProblem) -> None:
        super().__init__(f"the place was refused: {problem}")
        self.problem: PlaceProblem = problem


class TimeRefused(JourneyRefusal):
    """A time agreed outside the bot that has passed or is after the last day; nothing changed."""

    def __init__(self, problem: TimeProblem, departure: Departure) -> None:
        super().__init__(f"the time was refused: {problem}")
        self.problem: TimeProblem = problem
        self.departure = departure


# --- the rules ---------------------------------------------------------------------------


def location_of(departure: Departure) -> str | None:
    """Where a booking is held in person (the calendar event's location); None for Teams."""
    if departure.meeting_mode is MeetingMode.IN_PERSON:
        return departure.meeting_place
    return None


def clean_place(text: str | None, *, required: bool) -> str | None:
    """The place as typed, trimmed; PlaceRefused if it cannot be shown as one line of text."""
    place = (text or "").strip()
    if not place:
        if required:
            raise PlaceRefused("empty")
        return None
    # Control and format characters (line breaks, bidi overrides) would change how cards and
    # invitations show the place, or hide part of it.
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in place):
        raise PlaceRefused("control")
    if len(place) > MEETING_PLACE_MAX:
        raise PlaceRefused("too_long")
    return place


def may_set_place(departure: Departure, now: datetime) -> bool:
    """The interviewer is chosen and the conversation has not begun (nor been held)."""
    if departure.status not in _PLACE_OPEN or not departure.interviewer_upn:
        return False
    return departure.meeting_start is None or departure.meeting_start > now


def may_record_outside(departure: Departure) -> bool:
    """Whether a conversation agreed outside the bot may be recorded now."""
    return departure.status in _OUTSIDE_FROM


def in_person(departure: Departure, place: str, meeting: CreatedMeeting | None) -> Departure:
    """Held in person at `place`; with `meeting`, the booking's event is the one in person."""
    if departure.meeting_mode is MeetingMode.OUTSIDE:
        return departure.changed(meeting_place=place)  # agreed outside: no event to move
    values: dict[str, object] = {"meeting_mode": MeetingMode.IN_PERSON, "meeting_place": place}
    if meeting is not None:
        values |= {"meeting_event_id": meeting.event_id, "meeting_join_url": None}
    return departure.changed(**values)


def outside_times(
    departure: Departure, day: date, at: time, minutes: int, now: datetime
) -> tuple[datetime, datetime]:
    """Start and end of a time agreed outside the bot, on the departure's wall clock."""
    start = datetime.combine(day, at, tzinfo=departure.zone)
    if start <= now:
        raise TimeRefused("past", departure)
    if day > departure.last_working_day:
        raise TimeRefused("after_last_day", departure)
    return start, start + timedelta(minutes=minutes)


def outside_booked(
    departure: Departure, start: datetime, end: datetime, place: str | None
) -> Departure:
    """Agreed outside the bot for `start`: booked, with no event of the bot's."""
    if not may_record_outside(departure):
        raise StaleAction("a conversation agreed outside can be recorded before it is booked")
    return departure.moved_to(
        DepartureStatus.BOOKED,
        meeting_mode=MeetingMode.OUTSIDE,
        meeting_place=place,
        meeting_start=start,
        meeting_end=end,
        meeting_event_id=None,
        meeting_join_url=None,
        proposed_slots=[],
        times_requested_at=None,
    )


def outside_held(departure: Departure, place: str | None) -> Departure | None:
    """Held outside the bot; None when it is already recorded as held."""
    if departure.status is DepartureStatus.HELD:
        return None
    if not may_record_outside(departure):
        raise StaleAction("a conversation agreed outside can be recorded before it is booked")
    return departure.moved_to(
        DepartureStatus.HELD,
        meeting_mode=MeetingMode.OUTSIDE,
        meeting_place=place,
        proposed_slots=[],
        times_requested_at=None,
    )


# --- the service -------------------------------------------------------------------------


class MeetingNotifier(Protocol):
    """How people are told; implemented in outbox.meeting_notifier."""

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        """The invitation's subject and HTML body (journey.notify.JourneyNotifier's)."""
        ...

    async def task_changed(self, departure: Departure) -> None:
        """Update the interviewer's task card."""
        ...

    async def booked(self, departure: Departure) -> None:
        """The interviewer's confirmation (and the leaver's survey offer, once)."""
        ...

    async def meeting_changed(self, departure: Departure) -> None:
        """Tell the leaver when and where the conversation is now."""
        ...

    async def held(self, departure: Departure) -> None:
        """The conversation took place: the leaver's thank-you with the unit's offers."""
        ...

    async def short_notice(self, departure: Departure) -> None:
        """Tell HR that no time was free before a last day today or tomorrow (once)."""
        ...


class MeetingModes:
    """In person, agreed outside the bot, and short notice: checked, saved, audited, told."""

    def __init__(
        self,
        *,
        departures: DepartureRepository,
        calendar: Calendar,
        audit: AuditLog,
        clock: Clock,
        notifier: MeetingNotifier,
        minutes: Callable[[str], int],
        replan: Callable[[str], Awaitable[None]],
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        self._calendar = calendar
        self._clock = clock
        self._notifier = notifier
        self._minutes = minutes
        self._replan = replan

    async def open(self, asker: Asker, departure_id: str) -> Departure:
        """The departure, for its interviewer or HR; anyone else NotAllowed (audited)."""
        refusal = Refusal("refused", {"act": "meeting_mode"}, Reason.NOT_INTERVIEWER_OR_HR)
        return await self._kernel.open(departure_id, lambda d: _may(d, asker), refusal)

    async def hold_in_person(self, asker: Asker, departure_id: str, place: str) -> Departure:
        """The conversation is held in person at `place`; a booked meeting moves there."""
        departure = await self.open(asker, departure_id)
        where = await self._place(asker, departure_id, place, required=True)
        assert where is not None
        if not may_set_place(departure, self._clock.now()):
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("no conversation to set a place for")
        organizer, meeting = departure.interviewer_upn or "", None
        moves = departure.status is DepartureStatus.BOOKED and location_of(departure) != where
        if moves and departure.meeting_mode is not MeetingMode.OUTSIDE:
            meeting = await self._invite_in_person(departure, where)
        old_event = departure.meeting_event_id

        def change(current: Departure) -> Departure:
            if current.meeting_event_id != old_event or current.status is not departure.status:
                raise StaleAction("the booking changed meanwhile")
            return in_person(current, where, meeting)

        try:
            saved = await self._kernel.update(departure_id, change)
        except BaseException:
            if meeting is not None:  # take the new event out again; the old one stands
                await self._calendar.cancel_meeting(
                    departure.interviewer_upn or "", meeting.event_id
                )
            raise
        if meeting is not None and old_event:
            await self._calendar.cancel_meeting(organizer, old_event)
        booked = "yes" if saved.status is DepartureStatus.BOOKED else "no"
        await self._kernel.record(asker, "meeting.in_person", departure_id, booked=booked)
        await self._told(saved, booked=meeting is not None)
        return saved

    async def record_booked(
        self, asker: Asker, departure_id: str, day: date, at: time, place: str | None
    ) -> Departure:
        """A time agreed outside the bot: booked, reminded, no calendar event of the bot's."""
        departure = await self.open(asker, departure_id)
        where = await self._place(asker, departure_id, place, required=False)
        minutes = self._minutes(departure.unit)
        try:
            start, end = outside_times(departure, day, at, minutes, self._clock.now())
        except TimeRefused as refused:
            await self._refused(asker, departure_id, refused.problem)
            raise
        saved = await self._change(
            asker, departure_id, lambda d: outside_booked(d, start, end, where)
        )
        await self._kernel.record(asker, "meeting.outside_booked", departure_id)
        await self._told(saved, booked=True)
        return saved

    async def record_held(self, asker: Asker, departure_id: str, place: str | None) -> Departure:
        """Held outside the bot: the notes follow for the interviewer, the thanks for the leaver."""
        await self.open(asker, departure_id)
        where = await self._place(asker, departure_id, place, required=False)
        try:
            held = await self._kernel.apply(departure_id, lambda d: outside_held(d, where))
        except StaleAction:
            await self._refused(asker, departure_id, "stale")
            raise
        if not held.changed:
            return held.after  # a second click: held once, thanked once
        saved = held.after
        await self._kernel.record(asker, "meeting.outside_held", departure_id)
        await self._replan(departure_id)
        await self._notifier.task_changed(saved)
        await self._notifier.held(saved)
        return saved

    async def no_time_found(self, asker: Asker, departure_id: str) -> bool:
        """No time for the leaver: at short notice HR is told (once) and True comes back."""
        departure = await self._kernel.get_or_stale(departure_id)
        if not may(departure, asker, Act.BOOK):
            return False
        if not short_notice.is_short(departure, self._clock.now()):
            return False
        await self._kernel.record(asker, "short_notice.no_time", departure_id)
        await self._notifier.short_notice(departure)
        return True

    # --- helpers -------------------------------------------------------------------------

    async def _place(
        self, asker: Asker, departure_id: str, place: str | None, *, required: bool
    ) -> str | None:
        try:
            return clean_place(place, required=required)
        except PlaceRefused as refused:
            await self._refused(asker, departure_id, f"place_{refused.problem}")
            raise

    async def _change(
        self, asker: Asker, departure_id: str, rule: Callable[[Departure], Departure]
    ) -> Departure:
        try:
            return await self._kernel.update(departure_id, rule)
        except StaleAction:
            await self._refused(asker, departure_id, "stale")
            raise

    async def _invite_in_person(self, departure: Departure, place: str) -> CreatedMeeting:
        assert departure.meeting_start and departure.meeting_end
        return await self._calendar.create_meeting(
            departure.interviewer_upn or "",
            [departure.leaver_upn],
            # The invitation as it will be: in person, at the place.
            *await self._notifier.invitation(
                departure.changed(meeting_mode=MeetingMode.IN_PERSON, meeting_place=place)
            ),
            departure.meeting_start,
            departure.meeting_end,
            departure.time_zone,
            location=place,
        )

    async def _told(self, saved: Departure, *, booked: bool) -> None:
        """The interviewer's card, the leaver's, the reminders (they show the place)."""
        await self._replan(saved.id)
        await self._notifier.task_changed(saved)
        if saved.status is DepartureStatus.BOOKED:
            await self._notifier.meeting_changed(saved)
            if booked and saved.interviewer_upn:
                await self._notifier.booked(saved)

    async def _refused(self, asker: Asker, departure_id: str, reason: str) -> None:
        await self._kernel.record(asker, "meeting.refused", departure_id, reason=reason)


def _may(departure: Departure, asker: Asker) -> bool:
    """Only the person holding the conversation and HR set a place or record one outside."""
    roles = roles_of(departure, asker.upn, is_hr=asker.is_hr)
    return Role.INTERVIEWER in roles or Role.HR in roles
