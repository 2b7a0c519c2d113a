"""Who holds the conversation, and booking a time that suits both (seeds 001, 003, 004).

Pure rules over a Departure: each returns a changed copy or raises a JourneyRefusal. The
calendar calls and the sending happen in journey.flow.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from journey import short_notice
from journey.closed_days import ClosedDays
from journey.departure import Departure, DepartureStatus, InterviewerKind, MeetingMode
from journey.offer_policy import DEFAULT_POLICY, OfferPolicy
from journey.people import BusyInterval, CreatedMeeting
from journey.refusals import AlreadyBooked, StaleAction
from journey.slots import (
    DEFAULT_MIN_NOTICE_HOURS,
    Slot,
    SlotSearch,
    free_slots,
    propose_slots,
    search_window,
)

SLOT_COUNT = 5
# Times the interviewer may choose from when the leaver needs others.
CHOICE_COUNT = 10
# "None of these fit": the next proposal looks at the two weeks after the last one offered.
FOLLOWING_WINDOW_DAYS = 14


@dataclass(frozen=True)
class UnitRules:
    """What a unit's configuration says about holding and booking its conversations."""

    minutes: int = 60
    interviewers: tuple[InterviewerKind, ...] = (InterviewerKind.MANAGER,)
    hr_partners: tuple[str, ...] = ()
    pool: tuple[str, ...] = ()
    working_hours: tuple[time, time] = (time(8), time(16))
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    # The country's public holidays and HR's closed days and half days.
    closed_days: ClosedDays = field(default_factory=ClosedDays)
    # Issue 11: whether a conversation and the survey are offered, per type of departure.
    offers: OfferPolicy = DEFAULT_POLICY


@dataclass(frozen=True)
class InterviewerOption:
    """One person the leaver may choose to hold the conversation."""

    kind: InterviewerKind
    upn: str


def interviewer_options(departure: Departure, rules: UnitRules) -> list[InterviewerOption]:
    """Whom the leaver may choose, in the unit's order; never the leaver, nobody twice."""
    candidates: list[InterviewerOption] = []
    for kind in rules.interviewers:
        if kind is InterviewerKind.MANAGER:
            people: Iterable[str] = (departure.manager_upn,)
        elif kind is InterviewerKind.HR_PARTNER:
            people = rules.hr_partners
        else:
            people = (*rules.pool, *departure.interviewer_pool)
        candidates += [InterviewerOption(kind, upn.strip().lower()) for upn in people]
    seen = {departure.leaver_upn}
    options = []
    for option in candidates:
        if option.upn not in seen:
            seen.add(option.upn)
            options.append(option)
    return options


def choose_interviewer(
    departure: Departure, chosen: InterviewerOption, rules: UnitRules, name: str
) -> Departure:
    """The leaver's choice of who holds the conversation; only once, only from the options."""
    if departure.status is not DepartureStatus.ACCEPTED or departure.interviewer_upn:
        raise StaleAction("the interviewer can be chosen once, after accepting")
    if chosen not in interviewer_options(departure, rules):
        # The card offered something the unit's rules no longer allow (or never did).
        raise StaleAction("not one of the people the leaver may choose")
    return departure.changed(
        interviewer_upn=chosen.upn, interviewer_kind=chosen.kind, interviewer_name=name
    )


def _require_interviewer(departure: Departure) -> str:
    if departure.status is not DepartureStatus.ACCEPTED or not departure.interviewer_upn:
        raise StaleAction("times are found once the interviewer is chosen, before booking")
    return departure.interviewer_upn


@dataclass(frozen=True)
class Search:
    """Where to look for times: the window to ask the calendars for, and how to propose."""

    start: datetime
    end: datetime
    now: datetime  # propose_slots' `now` (moved later for the following window)
    min_notice_hours: float
    horizon_days: int


def search_for(
    departure: Departure, rules: UnitRules, now: datetime, *, following: bool = False
) -> Search | None:
    """The span to search for times; with `following`, the two weeks after the last offer."""
    # At short notice (last day today or tomorrow) a time may start soon after now.
    notice = short_notice.min_notice_hours(departure, now, DEFAULT_MIN_NOTICE_HOURS)
    begin, horizon = now, 28
    if following and departure.proposed_slots:
        last = max(offered_slots(departure), key=lambda slot: slot.start)
        day_after = last.start.astimezone(departure.zone).date() + timedelta(days=1)
        start_of_day = datetime.combine(day_after, time(0), tzinfo=departure.zone)
        if start_of_day > now + timedelta(hours=notice):
            begin, notice, horizon = start_of_day, 0.0, FOLLOWING_WINDOW_DAYS
    window = search_window(
        now=begin,
        last_working_day=departure.last_working_day,
        zone=departure.zone,
        working_hours=rules.working_hours,
        min_notice_hours=notice,
        horizon_days=horizon,
    )
    if window is None:
        return None
    return Search(window[0], window[1], begin, notice, horizon)


def _calendar(
    departure: Departure, rules: UnitRules, search: Search, busy: Iterable[BusyInterval]
) -> SlotSearch:
    """What journey.slots needs to know of the departure, the unit and the search."""
    return SlotSearch(
        now=search.now,
        last_working_day=departure.last_working_day,
        length_minutes=rules.minutes,
        zone=departure.zone,
        working_hours=rules.working_hours,
        working_days=rules.working_days,
        closed_days=rules.closed_days,
        busy=busy,
        min_notice_hours=search.min_notice_hours,
        horizon_days=search.horizon_days,
    )


def propose(
    departure: Departure,
    rules: UnitRules,
    search: Search,
    busy: Iterable[BusyInterval],
    *,
    exclude: Iterable[Slot] = (),
    count: int = SLOT_COUNT,
) -> list[Slot]:
    """Up to `count` times free for both, before the last working day."""
    return propose_slots(_calendar(departure, rules, search, busy), count=count, exclude=exclude)


def free_for_both(
    departure: Departure, rules: UnitRules, search: Search, busy: Iterable[BusyInterval]
) -> list[Slot]:
    """Every bookable time free for both (overlapping ones too): what a choice is checked on."""
    return free_slots(_calendar(departure, rules, search, busy))


def with_proposals(departure: Departure, slots: Sequence[Slot]) -> Departure:
    """The leaver may now pick from `slots` (and only from them)."""
    _require_interviewer(departure)
    return departure.changed(proposed_slots=[slot.key for slot in slots])


def offered_slots(departure: Departure) -> list[Slot]:
    """The slots the leaver may pick from right now."""
    return [Slot.from_key(key) for key in departure.proposed_slots]


def check_pick(departure: Departure, slot_key: str) -> Slot:
    """The slot the leaver picked, if picking it is still possible; refusals otherwise."""
    if departure.status is DepartureStatus.BOOKED:
        raise AlreadyBooked(departure)
    _require_interviewer(departure)
    if slot_key not in departure.proposed_slots:
        raise StaleAction("that time is not among the times offered now")
    return Slot.from_key(slot_key)


def book(departure: Departure, slot: Slot, meeting: CreatedMeeting) -> Departure:
    """The meeting is in the calendars: ACCEPTED -> BOOKED."""
    check_pick(departure, slot.key)
    return departure.moved_to(
        DepartureStatus.BOOKED,
        proposed_slots=[],
        times_requested_at=None,
        meeting_start=slot.start,
        meeting_end=slot.end,
        meeting_event_id=meeting.event_id,
        meeting_join_url=meeting.join_url,
    )


def unbook(departure: Departure) -> Departure:
    """The booked meeting is cancelled: BOOKED -> ACCEPTED, the interviewer stays."""
    if departure.status is not DepartureStatus.BOOKED:
        raise StaleAction("only a booked conversation can be moved or cancelled")
    # A time agreed outside the bot goes with it; a place in person stays for the next booking.
    outside = departure.meeting_mode is MeetingMode.OUTSIDE
    return departure.moved_to(
        DepartureStatus.ACCEPTED,
        meeting_start=None,
        meeting_end=None,
        meeting_event_id=None,
        meeting_join_url=None,
        **({"meeting_mode": None, "meeting_place": None} if outside else {}),
    )


def none_fit(departure: Departure, now: datetime) -> Departure:
    """The leaver turned down every time offered: the interviewer is asked for other times."""
    _require_interviewer(departure)
    if not departure.proposed_slots and departure.times_requested_at is None:
        raise StaleAction("no times were offered")
    return departure.changed(times_requested_at=now)


def times_requested(departure: Departure) -> bool:
    """Whether the leaver waits for the interviewer to suggest other times."""
    return departure.status is DepartureStatus.ACCEPTED and departure.times_requested_at is not None


def require_times_requested(departure: Departure) -> None:
    """The interviewer's "send new times" only while the leaver waits for them."""
    if not times_requested(departure):
        raise StaleAction("the leaver is not waiting for new times")


def after_new_times(departure: Departure, slots: Sequence[Slot]) -> Departure:
    """The interviewer sent the leaver new times."""
    require_times_requested(departure)
    return with_proposals(departure, slots).changed(times_requested_at=None)


def meeting_day(departure: Departure) -> date | None:
    """The booked conversation's date in the departure's zone."""
    if departure.meeting_start is None:
        return None
    return departure.meeting_start.astimezone(departure.zone).date()


def booking_outlives_last_day(departure: Departure) -> bool:
    """A booked conversation after the (possibly moved) last working day must be moved."""
    day = meeting_day(departure)
    return day is not None and day > departure.last_working_day


def proposals_outlive_last_day(departure: Departure) -> bool:
    """Offered times after the (possibly moved) last working day must be offered anew."""
    return any(
        slot.start.astimezone(departure.zone).date() > departure.last_working_day
        for slot in offered_slots(departure)
    )


def is_free(slot: Slot, busy: Collection[BusyInterval], now: datetime) -> bool:
    """Whether the slot is still free for both and has not begun."""
    return slot.start > now and not slot.clashes_with(busy)
