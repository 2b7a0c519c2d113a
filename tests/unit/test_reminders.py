"""Which reminders a departure should have, when, and to whom (journey.reminders.plan)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journey.departure import Departure, DepartureStatus
from journey.notify import MessageKind as K
from journey.reminders import Planned, ReminderRules, open_items, plan
from journey.workdays import WorkingTime

CPH = ZoneInfo("Europe/Copenhagen")
LEAVER, MANAGER, HR, PARTNER = (
    "sofie@contoso.example",
    "mads@contoso.example",
    "hrpartner@contoso.example",
    "peter@contoso.example",
)
ITEMS = ("tasks", "knowledge", "successor", "access_equipment")
# Monday 23 November 2026, 09:00 in Copenhagen.
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LAST_DAY = date(2026, 12, 18)  # a Friday


def rules(**changes: object) -> ReminderRules:
    values: dict[str, object] = {
        "time": WorkingTime(zone=CPH, holidays=frozenset({date(2026, 12, 24)})),
        "handover_items": ITEMS,
        "hr_contact": HR,
    }
    values.update(changes)
    return ReminderRules(**values)  # type: ignore[arg-type]


def departure(status: DepartureStatus = DepartureStatus.REGISTERED, **values: object) -> Departure:
    fields: dict[str, object] = {
        "id": "d1",
        "leaver_upn": LEAVER,
        "manager_upn": MANAGER,
        "unit": "social-care",
        "last_working_day": LAST_DAY,
        "status": status,
        "created_at": T0,
    }
    fields.update(values)
    return Departure.model_validate(fields)


def local(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """A wall-clock time in Copenhagen, in UTC as the plan hands it over."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH).astimezone(UTC)


def of(planned: list[Planned], kind: K) -> list[tuple[str, datetime]]:
    return [(p.recipient, p.due_at) for p in planned if p.kind is kind]


def test_a_registered_departure_gets_handover_farewell_and_thanks_on_working_mornings() -> None:
    planned = plan(departure(), rules(), T0)

    # 14 days before Friday 18 December is Friday 4 December, at the start of the working day.
    assert of(planned, K.HANDOVER) == [(LEAVER, local(date(2026, 12, 4)))]
    assert of(planned, K.HANDOVER_MANAGER) == [(MANAGER, local(date(2026, 12, 4)))]
    assert of(planned, K.FAREWELL_REMINDER) == [(MANAGER, local(date(2026, 12, 15)))]
    assert of(planned, K.THANK_YOU) == [(LEAVER, local(LAST_DAY))]
    assert local(LAST_DAY) == datetime(2026, 12, 18, 7, 0, tzinfo=UTC)  # stored in UTC
    # Open handover items go up the ladder: 3 working days later the manager, 3 more HR.
    assert of(planned, K.HANDOVER_ESCALATION) == [
        (MANAGER, local(date(2026, 12, 9))),
        (HR, local(date(2026, 12, 14))),
    ]
    assert not of(planned, K.OFFER_ESCALATION)
    assert all(p.due_at.tzinfo is UTC for p in planned)


def test_days_that_fall_on_a_weekend_or_holiday_move_to_the_working_day_before() -> None:
    # Last day Monday 28 December: 3 days before is Friday 25 (a holiday here), so Wednesday
    # 23; 14 days before is Monday 14 December.
    moved = departure(last_working_day=date(2026, 12, 28))
    holidays = frozenset({date(2026, 12, 24), date(2026, 12, 25)})
    planned = plan(moved, rules(time=WorkingTime(zone=CPH, holidays=holidays)), T0)

    assert of(planned, K.FAREWELL_REMINDER) == [(MANAGER, local(date(2026, 12, 23)))]
    assert of(planned, K.HANDOVER) == [(LEAVER, local(date(2026, 12, 14)))]
    # Sunday 20 December would be 8 days before: Friday 18 instead.
    planned = plan(moved, rules(farewell_days_before=8), T0)
    assert of(planned, K.FAREWELL_REMINDER) == [(MANAGER, local(date(2026, 12, 18)))]


def booked(start: datetime, **values: object) -> Departure:
    return departure(
        DepartureStatus.BOOKED,
        interviewer_upn=PARTNER,
        meeting_start=start,
        meeting_end=start + timedelta(hours=1),
        meeting_event_id="event-1",
        **values,
    )


@pytest.mark.parametrize(
    ("meeting_day", "reminder_utc"),
    [
        # Summer time starts on Sunday 29 March 2026: the Friday before is 08:00 CET = 07:00 UTC.
        (date(2026, 3, 30), datetime(2026, 3, 27, 7, 0, tzinfo=UTC)),
        # Easter: Thursday 2, Friday 3 and Monday 6 April are holidays, so the working day
        # before Tuesday 7 April is Wednesday 1 April, 08:00 CEST = 06:00 UTC.
        (date(2026, 4, 7), datetime(2026, 4, 1, 6, 0, tzinfo=UTC)),
        # Summer time ends on Sunday 25 October 2026: Friday 23 is still CEST.
        (date(2026, 10, 26), datetime(2026, 10, 23, 6, 0, tzinfo=UTC)),
        # Monday 2 November, CET again, the Friday before is already CET.
        (date(2026, 11, 2), datetime(2026, 10, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_the_conversation_is_reminded_the_working_day_before_across_dst_and_holidays(
    meeting_day: date, reminder_utc: datetime
) -> None:
    easter = frozenset({date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6)})
    now = datetime(meeting_day.year, meeting_day.month, 1, tzinfo=UTC) - timedelta(days=10)
    meeting = local(meeting_day, 10)
    late_enough = meeting_day + timedelta(days=20)
    planned = plan(
        booked(meeting, last_working_day=late_enough, created_at=now),
        rules(time=WorkingTime(zone=CPH, holidays=easter)),
        now,
    )

    assert of(planned, K.CONVERSATION_REMINDER) == [
        (LEAVER, reminder_utc),
        (PARTNER, reminder_utc),
    ]


def test_the_thank_you_on_the_last_day_follows_summer_time() -> None:
    # Monday 26 October 2026 is the first working day on CET: 08:00 is 07:00 UTC; the Friday
    # before, on CEST, 08:00 is 06:00 UTC.
    now = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    monday = departure(last_working_day=date(2026, 10, 26), created_at=now)
    friday = departure(last_working_day=date(2026, 10, 23), created_at=now)
    assert of(plan(monday, rules(), now), K.THANK_YOU) == [
        (LEAVER, datetime(2026, 10, 26, 7, 0, tzinfo=UTC))
    ]
    assert of(plan(friday, rules(), now), K.THANK_YOU) == [
        (LEAVER, datetime(2026, 10, 23, 6, 0, tzinfo=UTC))
    ]


def test_an_unanswered_offer_goes_to_the_manager_then_hr_in_working_days() -> None:
    # Issue 11: only where the unit turns it on (by default the leaver is reminded once).
    on = {"offer_to_manager": True}
    offered = departure(DepartureStatus.OFFERED)
    planned = plan(offered, rules(**on), T0)
    # From Monday 23 November: three working days on (Thursday 26) the gentle reminder; three
    # more (Tuesday 1 December) the manager, six more (Friday 4) HR. Weekends do not count.
    assert of(planned, K.OFFER_AGAIN) == [(LEAVER, local(date(2026, 11, 26)))]
    assert of(planned, K.OFFER_ESCALATION) == [
        (MANAGER, local(date(2026, 12, 1))),
        (HR, local(date(2026, 12, 4))),
    ]
    assert [p.days for p in planned if p.kind is K.OFFER_ESCALATION] == [3, 6]

    # A holiday does not count either.
    holiday = rules(time=WorkingTime(zone=CPH, holidays=frozenset({date(2026, 11, 25)})), **on)
    assert of(plan(offered, holiday, T0), K.OFFER_ESCALATION)[0] == (
        MANAGER,
        local(date(2026, 12, 2)),
    )
    # Without an HR contact the ladder ends at the manager; with 0 nobody is chased.
    no_hr = rules(hr_contact=None, **on)
    assert [r for r, _ in of(plan(offered, no_hr, T0), K.OFFER_ESCALATION)] == [MANAGER]
    off = rules(escalate_after_working_days=0, **on)
    assert not of(plan(offered, off, T0), K.OFFER_ESCALATION)


def test_answering_the_offer_ends_its_escalation_and_an_unbooked_yes_starts_one() -> None:
    accepted_at = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # a Friday
    accepted = departure(DepartureStatus.ACCEPTED, accepted_at=accepted_at)
    # The leaver's own pace (issue 11): their manager hears only where the unit says so.
    assert not of(plan(accepted, rules(), accepted_at), K.BOOKING_ESCALATION)
    planned = plan(accepted, rules(offer_to_manager=True), accepted_at)
    assert not of(planned, K.OFFER_ESCALATION)
    assert of(planned, K.BOOKING_ESCALATION) == [
        (MANAGER, local(date(2026, 12, 2))),
        (HR, local(date(2026, 12, 7))),
    ]
    declined = plan(departure(DepartureStatus.DECLINED), rules(), T0)
    assert not of(declined, K.OFFER_ESCALATION) and not of(declined, K.BOOKING_ESCALATION)
    # A "no" still gets the farewell and the thanks.
    assert of(declined, K.THANK_YOU)


def test_ask_me_later_sends_the_offer_again_in_working_hours_and_escalates_from_then() -> None:
    # Asked later on Friday evening: the offer comes again on Monday morning.
    later = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
    offered = departure(DepartureStatus.OFFERED, remind_offer_at=later)
    planned = plan(offered, rules(), T0)
    assert of(planned, K.OFFER_AGAIN) == [(LEAVER, local(date(2026, 11, 30)))]
    assert not of(planned, K.OFFER_ESCALATION)  # by default the manager is not told
    with_manager = plan(offered, rules(offer_to_manager=True), T0)
    assert of(with_manager, K.OFFER_AGAIN) == [(LEAVER, local(date(2026, 11, 30)))]
    assert of(with_manager, K.OFFER_ESCALATION)[0] == (MANAGER, local(date(2026, 12, 3)))


def test_ticking_every_handover_item_ends_the_handover_escalation() -> None:
    partly = departure(handover_done=["tasks", "knowledge"])
    assert open_items(partly, rules()) == ["successor", "access_equipment"]
    assert of(plan(partly, rules(), T0), K.HANDOVER_ESCALATION)
    done = departure(handover_done=list(ITEMS))
    planned = plan(done, rules(), T0)
    assert not of(planned, K.HANDOVER_ESCALATION)
    assert of(planned, K.HANDOVER)  # the card itself stays (it may have been sent)
    # A unit without a checklist gets no handover card at all.
    assert not of(plan(departure(), rules(handover_items=()), T0), K.HANDOVER)


def test_moving_the_last_day_moves_reminders_under_the_same_keys() -> None:
    before = plan(departure(), rules(), T0)
    after = plan(departure(last_working_day=date(2027, 1, 15)), rules(), T0)
    keys = {p.kind: p.key for p in before}
    moved = {p.kind: p for p in after}
    for kind in (K.HANDOVER, K.HANDOVER_MANAGER, K.FAREWELL_REMINDER, K.THANK_YOU):
        # One card per person and departure: a sent one is not sent again after a move.
        assert moved[kind].key == keys[kind]
    assert moved[K.THANK_YOU].due_at == local(date(2027, 1, 15))
    assert moved[K.HANDOVER].due_at == local(date(2027, 1, 1))  # 14 days before
    # Planning again later, nothing having changed, gives the same plan.
    assert plan(departure(), rules(), T0 + timedelta(hours=3)) == before


@pytest.mark.parametrize("status", [DepartureStatus.CANCELLED, DepartureStatus.CLOSED])
def test_a_cancelled_or_closed_departure_has_no_reminders(status: DepartureStatus) -> None:
    assert plan(departure(status), rules(), T0) == []


def test_a_late_registration_sends_past_reminders_at_the_next_working_moment() -> None:
    # Registered on Friday 11 December at 17:00, a week before the last day: the handover
    # card (due 4 December) goes out on Monday at 08:00, the escalation counts from then.
    now = local(date(2026, 12, 11), 17)
    late = departure(created_at=now)
    planned = plan(late, rules(), now)
    monday = local(date(2026, 12, 14))
    assert of(planned, K.HANDOVER) == [(LEAVER, monday)]
    assert of(planned, K.HANDOVER_ESCALATION) == [(MANAGER, local(date(2026, 12, 16)))]
    # Within working hours it goes at once.
    during = local(date(2026, 12, 14), 10, 30)
    assert of(plan(late, rules(), during), K.HANDOVER) == [(LEAVER, during)]


def test_nothing_is_due_after_the_last_day_or_after_the_meeting() -> None:
    after_last_day = local(LAST_DAY, 17)
    assert plan(departure(), rules(), after_last_day) == []
    meeting = local(date(2026, 12, 10), 10)
    # Booked on the day itself: the reminder goes now, until the meeting starts.
    now = local(date(2026, 12, 10), 9)
    assert of(plan(booked(meeting), rules(), now), K.CONVERSATION_REMINDER) == [
        (LEAVER, now),
        (PARTNER, now),
    ]
    assert not of(plan(booked(meeting), rules(), meeting), K.CONVERSATION_REMINDER)


def test_a_rebooked_conversation_is_reminded_again() -> None:
    first = plan(booked(local(date(2026, 12, 10), 10)), rules(), T0)
    later = plan(booked(local(date(2026, 12, 10), 14)), rules(), T0)
    [a, _] = [p.key for p in first if p.kind is K.CONVERSATION_REMINDER]
    [b, _] = [p.key for p in later if p.kind is K.CONVERSATION_REMINDER]
    assert a != b


def test_working_time_arithmetic() -> None:
    week = WorkingTime(zone=CPH, holidays=frozenset({date(2026, 12, 24), date(2026, 12, 25)}))
    assert week.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert week.add_working_days(date(2026, 12, 28), -1) == date(2026, 12, 23)
    assert week.add_working_days(date(2026, 12, 26), 0) == date(2026, 12, 26)
    assert week.on_or_before(date(2026, 12, 27)) == date(2026, 12, 23)
    saturday = datetime(2026, 12, 26, 10, 0, tzinfo=CPH)
    assert week.next_working_moment(saturday) == datetime(2026, 12, 28, 8, 0, tzinfo=CPH)
    early = datetime(2026, 12, 28, 6, 0, tzinfo=CPH)
    assert week.next_working_moment(early) == datetime(2026, 12, 28, 8, 0, tzinfo=CPH)
    noon = datetime(2026, 12, 28, 12, 0, tzinfo=CPH)
    assert week.next_working_moment(noon) == noon
