"""Plans that change, as pure rules on a fixed clock: who may change what, and what it leaves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from journey import plan_change_rules as rules
from journey.booking import InterviewerOption, UnitRules
from journey.departure import Departure, DepartureStatus, InterviewerKind, PostedCard
from journey.plan_change_rules import ConversationPassed, NotAColleague
from journey.refusals import StaleAction

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
UNIT = UnitRules(
    interviewers=(InterviewerKind.MANAGER, InterviewerKind.HR_PARTNER),
    hr_partners=("peter@contoso.example",),
)
CARD = PostedCard(activity_id="a-1", conversation_id="c-1", service_url="https://smba.example")


def accepted(**changes: object) -> Departure:
    values: dict[str, object] = {
        "leaver_upn": "sofie@contoso.example",
        "manager_upn": "mads@contoso.example",
        "unit": "social-care",
        "last_working_day": date(2026, 12, 18),
        "status": DepartureStatus.ACCEPTED,
        "interviewer_upn": "peter@contoso.example",
        "interviewer_kind": InterviewerKind.HR_PARTNER,
        "interviewer_name": "Peter Holm",
        "proposed_slots": [],
        "cards": {"leaver": CARD, "task": CARD, "booked": CARD},
    }
    return Departure.model_validate({**values, **changes})


def booked(**changes: object) -> Departure:
    values = {
        "status": DepartureStatus.BOOKED,
        "meeting_start": START,
        "meeting_end": START + timedelta(hours=1),
        "meeting_event_id": "event-1",
        "meeting_join_url": "https://teams.example/event-1",
    }
    return accepted(**{**values, **changes})


def test_a_conversation_has_begun_from_its_start_on() -> None:
    departure = booked()
    assert not rules.has_begun(departure, START - timedelta(minutes=1))
    assert rules.has_begun(departure, START)
    assert rules.has_begun(departure, START + timedelta(days=1))
    # Only a booked conversation has a time that can come.
    assert not rules.has_begun(accepted(), START + timedelta(days=1))


def test_a_meeting_whose_time_came_is_not_cancelled_in_the_calendars() -> None:
    assert rules.meeting_to_cancel(booked(), NOW) == ("peter@contoso.example", "event-1")
    assert rules.meeting_to_cancel(booked(), START) is None
    assert rules.meeting_to_cancel(accepted(), NOW) is None
    # HR cancelled the departure first: a meeting that happened still stays.
    cancelled = booked(status=DepartureStatus.CANCELLED)
    assert rules.meeting_to_cancel(cancelled, START + timedelta(hours=2)) is None


def test_saying_no_after_booking_leaves_nobody_holding_it() -> None:
    declined = rules.withdraw(booked(), "  I found the answers elsewhere ", NOW)
    assert declined.status is DepartureStatus.DECLINED
    assert declined.decline_reason == "I found the answers elsewhere"
    assert (declined.interviewer_upn, declined.interviewer_name) == (None, "")
    assert (declined.meeting_start, declined.meeting_event_id) == (None, None)
    # The interviewer's cards are no longer the departure's; the leaver's stays.
    assert set(declined.cards) == {"leaver"}


def test_saying_no_before_booking_drops_the_times_offered() -> None:
    declined = rules.withdraw(accepted(proposed_slots=["x"], times_requested_at=NOW), None, NOW)
    assert declined.status is DepartureStatus.DECLINED
    assert (declined.proposed_slots, declined.times_requested_at) == ([], None)
    assert declined.decline_reason is None


@pytest.mark.parametrize(
    "status", [DepartureStatus.OFFERED, DepartureStatus.HELD, DepartureStatus.CANCELLED]
)
def test_no_after_yes_needs_a_yes_and_no_held_conversation(status: DepartureStatus) -> None:
    with pytest.raises(StaleAction):
        rules.withdraw(accepted(status=status), None, NOW)


def test_once_the_time_has_come_nothing_moves() -> None:
    started = booked()
    with pytest.raises(ConversationPassed):
        rules.withdraw(started, None, START)
    option = InterviewerOption(InterviewerKind.MANAGER, "mads@contoso.example")
    with pytest.raises(ConversationPassed):
        rules.switch_interviewer(started, option, UNIT, "Mads", START + timedelta(minutes=30))
    with pytest.raises(ConversationPassed):
        rules.check_hand_over(started, "lene@contoso.example", START)


def test_someone_else_instead_is_never_the_same_person() -> None:
    options = rules.switch_options(booked(), UNIT)
    assert [option.upn for option in options] == ["mads@contoso.example"]
    same = InterviewerOption(InterviewerKind.HR_PARTNER, "peter@contoso.example")
    with pytest.raises(StaleAction):
        rules.switch_interviewer(booked(), same, UNIT, "Peter Holm", NOW)


def test_choosing_someone_else_after_booking_goes_back_to_choosing_a_time() -> None:
    option = InterviewerOption(InterviewerKind.MANAGER, "mads@contoso.example")
    switched = rules.switch_interviewer(booked(), option, UNIT, "Mads Berg", NOW)
    assert switched.status is DepartureStatus.ACCEPTED
    assert (switched.interviewer_upn, switched.interviewer_kind) == (
        "mads@contoso.example",
        InterviewerKind.MANAGER,
    )
    assert switched.interviewer_name == "Mads Berg"
    assert (switched.meeting_event_id, switched.proposed_slots) == (None, [])
    assert set(switched.cards) == {"leaver"}


def test_someone_else_needs_someone_chosen_first() -> None:
    option = InterviewerOption(InterviewerKind.MANAGER, "mads@contoso.example")
    with pytest.raises(StaleAction):
        rules.switch_interviewer(accepted(interviewer_upn=None), option, UNIT, "Mads", NOW)


def test_a_handover_goes_to_a_colleague_not_the_leaver_or_oneself() -> None:
    for person in ("sofie@contoso.example", "Peter@Contoso.example"):
        with pytest.raises(NotAColleague):
            rules.check_hand_over(booked(), person, NOW)
    handed = rules.hand_over(booked(), "Lene@Contoso.example", InterviewerKind.POOL, "Lene", NOW)
    assert (handed.status, handed.interviewer_upn) == (
        DepartureStatus.ACCEPTED,
        "lene@contoso.example",
    )


def test_who_takes_over_counts_as_manager_hr_partner_or_trusted_person() -> None:
    departure = booked()
    assert rules.kind_of(departure, UNIT, "Mads@contoso.example") is InterviewerKind.MANAGER
    assert rules.kind_of(departure, UNIT, "peter@contoso.example") is InterviewerKind.HR_PARTNER
    assert rules.kind_of(departure, UNIT, "lene@contoso.example") is InterviewerKind.POOL


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        (" Lene@Contoso.example ", "lene@contoso.example"),
        ("Lene Dahl", None),
        ("lene@contoso.example\x07", None),
        ("lene@con\ntoso.example", None),
        ("a@b@c", None),
        ("", None),
    ],
)
def test_a_colleague_is_looked_up_only_by_an_address(typed: str, address: str | None) -> None:
    assert rules.colleague_address(typed) == address
