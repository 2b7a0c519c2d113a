"""The follow-up rules without the app: due dates on the departure's calendar, the reminder's
moment on its wall clock (across the change to winter time), and who may see a follow-up."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from journey.access import Asker
from journey.follow_up_rules import (
    DueDateRefused,
    FollowUp,
    OwnerKind,
    checked_due,
    done,
    may_see,
    reminder_at,
    year_after,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
T = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def follow_up(**changes: object) -> FollowUp:
    values: dict[str, object] = {
        "id": "f1",
        "departure_id": "d1",
        "unit": "social-care",
        "area": "other",
        "what": "Fix the rota",
        "owner_upn": "owner@contoso.example",
        "owner_kind": OwnerKind.PERSON,
        "due_on": date(2026, 10, 26),  # the Monday after the change to winter time
        "created_by": "interviewer@contoso.example",
        "created_at": T,
        "updated_at": T,
    }
    return FollowUp.model_validate(values | changes)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("2026-10-19", "due_past"), ("2027-10-21", "due_too_far"), ("", "due_missing")],
)
def test_a_due_date_before_today_or_over_a_year_ahead_is_refused(typed: str, reason: str) -> None:
    with pytest.raises(DueDateRefused) as refused:
        checked_due(typed, date(2026, 10, 20))
    assert refused.value.reason == reason


def test_today_and_a_year_ahead_are_due_dates() -> None:
    today = date(2026, 10, 20)
    assert checked_due("2026-10-20", today) == today
    assert checked_due("2027-10-20", today) == date(2027, 10, 20)
    assert year_after(date(2028, 2, 29)) == date(2029, 2, 28)


def test_the_reminder_is_at_nine_on_the_wall_clock_once_open_and_after_the_card() -> None:
    # 09:00 in Copenhagen on 26 October is 08:00 UTC (winter time began the day before).
    assert reminder_at(follow_up(), COPENHAGEN) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert reminder_at(done(follow_up(), "owner@contoso.example", "ok", T), COPENHAGEN) is None
    late = datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # given to its owner after 09:00 that day
    assert reminder_at(follow_up(updated_at=late), COPENHAGEN) is None


@pytest.mark.parametrize(
    ("upn", "is_hr", "sees"),
    [
        ("owner@contoso.example", False, True),
        ("interviewer@contoso.example", False, True),
        ("hr@contoso.example", True, True),
        ("manager@contoso.example", False, False),
        ("someone@contoso.example", False, False),
        (None, True, False),
    ],
)
def test_who_sees_the_owners_card(upn: str | None, is_hr: bool, sees: bool) -> None:
    asker = Asker(user_id="29:x", upn=upn, is_hr=is_hr)
    assert may_see(follow_up(), None, asker) is sees
