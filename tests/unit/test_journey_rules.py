"""The journey's rules on a departure, with a fixed clock: what may follow what, and why not."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from journey import booking, offer
from journey.booking import InterviewerOption, UnitRules
from journey.clock import FixedClock
from journey.departure import (
    Departure,
    DepartureStatus,
    InterviewerKind,
    InvalidTransition,
    Reach,
)
from journey.people import BusyInterval, CreatedMeeting
from journey.refusals import AlreadyBooked, StaleAction
from journey.slots import Slot

# Monday 23 November 2026, 09:00 in Copenhagen.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
RULES = UnitRules(
    minutes=60,
    interviewers=(InterviewerKind.MANAGER, InterviewerKind.HR_PARTNER, InterviewerKind.POOL),
    hr_partners=("peter@contoso.example",),
    pool=("lene@contoso.example",),
    working_hours=(time(8), time(16)),
)
MEETING = CreatedMeeting(event_id="event-1", join_url="https://teams.example/join/1")


def registered(**changes: object) -> Departure:
    values: dict[str, object] = {
        "leaver_upn": "sofie@contoso.example",
        "leaver_name": "Sofie Andersen",
        "manager_upn": "mads@contoso.example",
        "unit": "social-care",
        "last_working_day": date(2026, 12, 18),
        "interviewer_pool": ["tillid@contoso.example"],
    }
    values.update(changes)
    return Departure(**values)  # type: ignore[arg-type]


def accepted_with_partner() -> Departure:
    departure = offer.accept(offer.offered(registered()))
    option = InterviewerOption(InterviewerKind.HR_PARTNER, "peter@contoso.example")
    return booking.choose_interviewer(departure, option, RULES, "Peter Holm")


def proposed() -> tuple[Departure, list[Slot]]:
    departure = accepted_with_partner()
    search = booking.search_for(departure, RULES, CLOCK.now())
    assert search is not None
    slots = booking.propose(departure, RULES, search, [])
    return booking.with_proposals(departure, slots), slots


def booked() -> tuple[Departure, Slot]:
    departure, slots = proposed()
    return booking.book(departure, slots[0], MEETING), slots[0]


def test_accept_decline_and_change_of_mind() -> None:
    offered = offer.offered(registered())
    declined = offer.decline(offered, "  I would rather not.  " + "x" * 600)
    assert declined.status is DepartureStatus.DECLINED
    assert declined.decline_reason is not None and len(declined.decline_reason) == 500
    again = offer.accept(declined)
    assert again.status is DepartureStatus.ACCEPTED
    assert again.decline_reason is None  # the reason of a no that became a yes is dropped


def test_a_blank_reason_is_no_reason() -> None:
    assert offer.decline(offer.offered(registered()), "   ").decline_reason is None


def test_ask_later_stores_when_and_never_after_the_last_day() -> None:
    offered = offer.offered(registered())
    postponed, days = offer.remind_later(offered, NOW)
    assert (days, postponed.remind_offer_at) == (3, NOW + timedelta(days=3))
    assert postponed.status is DepartureStatus.OFFERED
    soon = offer.offered(registered(last_working_day=date(2026, 11, 25)))
    assert offer.remind_later(soon, NOW)[1] == 1


def test_answers_to_a_cancelled_offer_are_stale() -> None:
    cancelled = offer.offered(registered()).moved_to(DepartureStatus.CANCELLED)
    for answer in (offer.accept, lambda d: offer.decline(d, None)):
        with pytest.raises(StaleAction):
            answer(cancelled)
    with pytest.raises(StaleAction):
        offer.remind_later(cancelled, NOW)


def test_the_options_follow_the_unit_never_the_leaver_and_nobody_twice() -> None:
    departure = registered(interviewer_pool=["tillid@contoso.example", "sofie@contoso.example"])
    rules = UnitRules(
        interviewers=(InterviewerKind.MANAGER, InterviewerKind.HR_PARTNER, InterviewerKind.POOL),
        hr_partners=("mads@contoso.example", "peter@contoso.example"),
        pool=("lene@contoso.example",),
    )
    options = booking.interviewer_options(departure, rules)
    assert [(o.kind, o.upn) for o in options] == [
        (InterviewerKind.MANAGER, "mads@contoso.example"),
        (InterviewerKind.HR_PARTNER, "peter@contoso.example"),
        (InterviewerKind.POOL, "lene@contoso.example"),
        (InterviewerKind.POOL, "tillid@contoso.example"),
    ]


def test_the_interviewer_is_chosen_once_and_only_from_the_options() -> None:
    departure = offer.accept(offer.offered(registered()))
    stranger = InterviewerOption(InterviewerKind.POOL, "someone@contoso.example")
    with pytest.raises(StaleAction):
        booking.choose_interviewer(departure, stranger, RULES, "Someone")
    chosen = accepted_with_partner()
    assert (chosen.interviewer_upn, chosen.interviewer_kind) == (
        "peter@contoso.example",
        InterviewerKind.HR_PARTNER,
    )
    again = InterviewerOption(InterviewerKind.MANAGER, "mads@contoso.example")
    with pytest.raises(StaleAction):
        booking.choose_interviewer(chosen, again, RULES, "Mads")


def test_proposals_are_working_hours_before_the_last_day_and_free_for_both() -> None:
    departure = accepted_with_partner()
    search = booking.search_for(departure, RULES, NOW)
    assert search is not None
    # Both busy 11:00-13:00 Copenhagen time every day.
    lunch = [
        BusyInterval(
            start=datetime(2026, 11, 24, 10, 0, tzinfo=UTC) + timedelta(days=n),
            end=datetime(2026, 11, 24, 12, 0, tzinfo=UTC) + timedelta(days=n),
        )
        for n in range(30)
    ]
    slots = booking.propose(departure, RULES, search, lunch)
    assert 3 <= len(slots) <= 5
    for slot in slots:
        start, end = slot.in_zone(departure.zone)
        assert time(8) <= start.time() and end.time() <= time(16)
        assert start.date() <= departure.last_working_day
        assert not slot.clashes_with(lunch)
        assert slot.start >= NOW + timedelta(hours=24)


def test_a_time_not_offered_is_stale() -> None:
    departure, slots = proposed()
    other = Slot(
        start=slots[0].start + timedelta(minutes=30), end=slots[0].end + timedelta(minutes=30)
    )
    with pytest.raises(StaleAction):
        booking.check_pick(departure, other.key)


def test_double_booking_is_refused_and_the_booking_stands() -> None:
    departure, first = booked()
    assert departure.status is DepartureStatus.BOOKED
    assert (departure.meeting_start, departure.meeting_event_id) == (first.start, "event-1")
    assert departure.proposed_slots == []
    with pytest.raises(AlreadyBooked) as refused:
        booking.check_pick(departure, first.key)
    assert refused.value.departure.meeting_event_id == "event-1"
    with pytest.raises(AlreadyBooked):
        booking.book(departure, first, CreatedMeeting(event_id="event-2"))


def test_cancel_after_booking_goes_back_to_accepted_with_the_same_interviewer() -> None:
    departure, _ = booked()
    cancelled = booking.unbook(departure)
    assert cancelled.status is DepartureStatus.ACCEPTED
    assert cancelled.meeting_event_id is None and cancelled.meeting_start is None
    assert cancelled.interviewer_upn == "peter@contoso.example"
    with pytest.raises(StaleAction):
        booking.unbook(cancelled)  # cancelling twice: the second click is stale


def test_departure_cancelled_from_any_state_before_the_conversation_is_held() -> None:
    departure, _ = booked()
    assert departure.moved_to(DepartureStatus.CANCELLED).status is DepartureStatus.CANCELLED
    held = departure.moved_to(DepartureStatus.HELD)
    with pytest.raises(InvalidTransition):
        held.moved_to(DepartureStatus.CANCELLED)


def test_last_day_moved_before_the_booked_slot_needs_a_new_time() -> None:
    departure, slot = booked()
    booked_day = slot.start.astimezone(departure.zone).date()
    assert not booking.booking_outlives_last_day(departure)
    assert not booking.booking_outlives_last_day(departure.changed(last_working_day=booked_day))
    moved = departure.changed(last_working_day=booked_day - timedelta(days=1))
    assert booking.booking_outlives_last_day(moved)


def test_offered_times_after_a_moved_last_day_are_offered_anew() -> None:
    departure, slots = proposed()
    last = max(slot.start for slot in slots).astimezone(departure.zone).date()
    assert booking.proposals_outlive_last_day(
        departure.changed(last_working_day=last - timedelta(days=1))
    )


def test_none_fit_asks_for_times_and_new_times_come_from_the_following_two_weeks() -> None:
    departure, slots = proposed()
    waiting = booking.none_fit(departure, NOW)
    assert booking.times_requested(waiting)
    search = booking.search_for(waiting, RULES, NOW, following=True)
    assert search is not None
    last_offered = max(slot.start for slot in slots).astimezone(departure.zone).date()
    assert search.start.astimezone(departure.zone).date() > last_offered
    later = booking.propose(waiting, RULES, search, [], exclude=slots)
    assert later and all(s.start > max(x.start for x in slots) for s in later)
    sent = booking.after_new_times(waiting, later)
    assert not booking.times_requested(sent)
    assert sent.proposed_slots == [s.key for s in later]
    with pytest.raises(StaleAction):
        booking.require_times_requested(sent)  # a second "send new times" click


def test_reach_is_recorded_and_an_answer_proves_the_leaver_was_reached() -> None:
    blocked = offer.unreachable(registered(), Reach.BLOCKED)
    assert (blocked.status, blocked.reach) == (DepartureStatus.REGISTERED, Reach.BLOCKED)
    assert offer.accept(offer.offered(blocked)).reach is Reach.OK
