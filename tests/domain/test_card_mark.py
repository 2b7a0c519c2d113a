"""The mark a card carries of the plan it was drawn for: it changes with the plan, and only then."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from journey.departure import (
    Departure,
    DepartureStatus,
    MeetingMode,
    PostedCard,
    Reach,
)
from journey.refusals import StaleAction, require_mark

START = datetime(2026, 12, 14, 8, 30, tzinfo=UTC)


def booked() -> Departure:
    return Departure(
        id="d1",
        leaver_upn="leaver@contoso.example",
        manager_upn="manager@contoso.example",
        unit="social-care",
        last_working_day=date(2026, 12, 18),
        status=DepartureStatus.BOOKED,
        interviewer_upn="hrpartner@contoso.example",
        meeting_start=START,
        meeting_end=START + timedelta(hours=1),
        meeting_event_id="event-1",
        meeting_mode=MeetingMode.TEAMS,
    )


def test_the_mark_is_short_and_the_same_in_every_process() -> None:
    # A hash of the plan's fields, not Python's salted hash(): a card drawn by one instance
    # is checked by another, and after a restart.
    assert booked().mark == "8a48fa0e"
    assert booked().mark == booked().mark


@pytest.mark.parametrize(
    "change",
    [
        {
            "meeting_start": START + timedelta(days=1),
            "meeting_end": START + timedelta(days=1, hours=1),
        },
        {"meeting_event_id": "event-2"},  # cancelled and booked again at the same hour
        {"interviewer_upn": "manager@contoso.example"},
        {"last_working_day": date(2026, 12, 23)},
        {"meeting_mode": MeetingMode.IN_PERSON, "meeting_place": "Room 2"},
        {"status": DepartureStatus.HELD},
    ],
)
def test_a_changed_plan_changes_the_mark(change: dict[str, object]) -> None:
    before = booked()
    assert before.changed(**change).mark != before.mark


def test_new_proposed_times_change_the_mark() -> None:
    choosing = booked().changed(
        status=DepartureStatus.ACCEPTED,
        meeting_start=None,
        meeting_end=None,
        meeting_event_id=None,
        proposed_slots=["a"],
    )
    assert choosing.changed(proposed_slots=["b"]).mark != choosing.mark


def test_delivering_a_card_or_saving_does_not_change_the_mark() -> None:
    before = booked()
    posted = PostedCard(activity_id="1", conversation_id="a:1", service_url="https://x")
    after = before.changed(
        cards={"leaver": posted},
        reach=Reach.OK,
        version=before.version + 3,
        updated_at=datetime(2026, 12, 1, tzinfo=UTC),
        handover_done=["tasks"],
    )
    assert after.mark == before.mark


def test_a_card_from_an_earlier_plan_is_refused_with_the_plan_as_it_stands() -> None:
    drawn_for = booked()
    now = drawn_for.changed(meeting_event_id="event-2")
    assert require_mark(drawn_for, drawn_for.mark) is drawn_for
    with pytest.raises(StaleAction) as refused:
        require_mark(now, drawn_for.mark)
    assert refused.value.current is now
