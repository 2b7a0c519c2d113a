"""Escalation that respects a voluntary offer (issue 11): journey.escalation and the plan,
on a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from journey.departure import DepartureStatus, InterviewerKind, Reach
from journey.escalation import Attention, unreachable
from journey.hr_status import attention_of
from journey.notify import MessageKind as K
from journey.reminders import plan
from tests.unit.test_reminders import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    T0,
    booked,
    departure,
    local,
    of,
    rules,
)

POOL_PERSON = "pia@contoso.example"
OTHER_HR = "hanne@contoso.example"


def test_by_default_an_unanswered_offer_gets_one_gentle_reminder_and_no_manager() -> None:
    offered = departure(DepartureStatus.OFFERED)
    planned = plan(offered, rules(), T0)

    # Three working days after Monday 23 November the leaver is reminded, once; nobody else.
    assert of(planned, K.OFFER_AGAIN) == [(LEAVER, local(date(2026, 11, 26)))]
    assert not of(planned, K.OFFER_ESCALATION)
    # HR's list says so once the reminder is due, not before.
    assert attention_of(offered, T0) == ()
    later = local(date(2026, 11, 26), 9)
    assert attention_of(offered, later) == (Attention.UNANSWERED,)


def test_a_unit_that_turns_it_on_escalates_an_unanswered_offer_to_the_manager() -> None:
    planned = plan(departure(DepartureStatus.OFFERED), rules(offer_to_manager=True), T0)
    assert of(planned, K.OFFER_ESCALATION) == [
        (MANAGER, local(date(2026, 12, 1))),
        (HR, local(date(2026, 12, 4))),
    ]


@pytest.mark.parametrize("kind", [InterviewerKind.HR_PARTNER, InterviewerKind.POOL])
def test_an_interviewer_not_sending_times_goes_to_the_hr_contact_not_the_manager(
    kind: InterviewerKind,
) -> None:
    interviewer = PARTNER if kind is InterviewerKind.HR_PARTNER else POOL_PERSON
    asked = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday: none of the times fit
    waiting = departure(
        DepartureStatus.ACCEPTED,
        accepted_at=T0,
        interviewer_upn=interviewer,
        interviewer_kind=kind,
        times_requested_at=asked,
    )
    # Even where the leaver's matters go to the manager, this one is not theirs.
    planned = plan(waiting, rules(offer_to_manager=True), asked)
    assert of(planned, K.BOOKING_ESCALATION) == [(HR, local(date(2026, 11, 27)))]
    # HR's list points at it three days after the request (calendar days, filtered in SQL).
    assert attention_of(waiting, local(date(2026, 11, 27), 11)) == (
        Attention.INTERVIEWER_NOT_ACTING,
    )
    # When the HR contact is the one not acting, the next HR person hears.
    self_contact = rules(hr_contact=interviewer, hr_backup=(interviewer, OTHER_HR))
    assert of(plan(waiting, self_contact, asked), K.BOOKING_ESCALATION) == [
        (OTHER_HR, local(date(2026, 11, 27)))
    ]


@pytest.mark.parametrize(
    "reach", [Reach.BLOCKED, Reach.NOT_FOUND, Reach.NO_CONVERSATION, Reach.FAILED]
)
def test_a_leaver_the_bot_cannot_reach_is_unreachable_never_has_not_answered(
    reach: Reach,
) -> None:
    lost = departure(DepartureStatus.OFFERED, reach=reach)
    planned = plan(lost, rules(offer_to_manager=True), T0)
    assert not of(planned, K.OFFER_ESCALATION)
    assert not of(planned, K.OFFER_AGAIN)
    assert unreachable(lost)
    # However long it waits, HR sees "unreachable", not "offer unanswered".
    assert attention_of(lost, local(date(2026, 12, 10))) == (Attention.UNREACHABLE,)
    # An offer that never left (still registered) is unreachable too.
    assert attention_of(departure(reach=reach), T0) == (Attention.UNREACHABLE,)
    assert not unreachable(departure(DepartureStatus.OFFERED, reach=Reach.OK))


def test_overdue_steps_after_downtime_go_one_working_day_apart() -> None:
    # The handover card was due before registration; the offer went unanswered; the bot was
    # down until Monday 7 December 10:00. Four steps are overdue by then.
    overdue = departure(DepartureStatus.OFFERED)
    on = rules(offer_to_manager=True, handover_days_before=30)
    before = plan(overdue, on, T0)
    now = local(date(2026, 12, 7), 10)
    planned = plan(overdue, on, now)

    escalations = sorted(
        (p for p in planned if p.kind in (K.OFFER_ESCALATION, K.HANDOVER_ESCALATION)),
        key=lambda p: p.due_at,
    )
    assert [p.due_at for p in escalations] == [
        now,
        local(date(2026, 12, 8)),
        local(date(2026, 12, 9)),
        local(date(2026, 12, 10)),
    ]
    # Each keeps the key of its own day: one sent before the downtime is not sent again.
    assert {p.key for p in escalations} == {
        p.key for p in before if p.kind in (K.OFFER_ESCALATION, K.HANDOVER_ESCALATION)
    }
    # Planned in time, two matters due on one day do not go together either.
    same_day = plan(overdue, rules(offer_to_manager=True, handover_days_before=28), T0)
    days = [p.due_at for p in same_day if p.kind in (K.OFFER_ESCALATION, K.HANDOVER_ESCALATION)]
    assert len(days) == len(set(days))


def test_after_the_conversation_the_interviewer_is_reminded_to_record_the_notes() -> None:
    meeting = local(date(2026, 12, 10), 10)
    conversation = booked(meeting)
    planned = plan(conversation, rules(), T0)
    # At the meeting's end (11:00 in Copenhagen), to the interviewer only.
    assert of(planned, K.NOTES_REMINDER) == [(PARTNER, meeting + timedelta(hours=1))]
    # Marked held: no reminder.
    held = conversation.changed(status=DepartureStatus.HELD)
    assert not of(plan(held, rules(), T0), K.NOTES_REMINDER)
    # A conversation at the end of the last day is reminded the next working morning.
    last = booked(local(date(2026, 12, 18), 15))
    assert of(plan(last, rules(), T0), K.NOTES_REMINDER) == [(PARTNER, local(date(2026, 12, 21)))]
    # A day after its time, HR's status points at it.
    after = meeting + timedelta(days=1, hours=2)
    assert attention_of(conversation, after) == (Attention.NOTES_MISSING,)


def test_every_leaver_gets_the_thank_you_offers_on_the_farewell_reminders_day() -> None:
    declined = departure(DepartureStatus.DECLINED)
    planned = plan(declined, rules(farewell_gestures=True), T0)
    farewell = of(planned, K.FAREWELL_REMINDER)[0][1]
    assert of(planned, K.FAREWELL_GESTURES) == [(LEAVER, farewell)]
    # Held: the thank-you after the conversation carries them (no double offer).
    held = booked(local(date(2026, 12, 10), 10)).changed(status=DepartureStatus.HELD)
    assert not of(plan(held, rules(farewell_gestures=True), T0), K.FAREWELL_GESTURES)
    # A unit that keeps them for held conversations only.
    assert not of(plan(declined, rules(farewell_gestures=False), T0), K.FAREWELL_GESTURES)
