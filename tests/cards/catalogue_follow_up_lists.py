"""The follow-up lists card's data (issue 14, cards.follow_up_lists) for the golden cards of
tests/cards/catalogue.py, kept apart from it."""

from __future__ import annotations

from datetime import date

from journey.follow_up_lists import FollowUpPage, Listed, UnitTally


def _listed(unit: str, area: str, what: str | None, due: date, owner: str = "manager") -> Listed:
    return Listed(
        unit=unit,
        area=area,
        what=what,
        owner_kind=owner,
        due_on=due,
        overdue=due < date(2026, 12, 3),
    )


def follow_up_page() -> FollowUpPage:
    """HR's second page: one of HR's own, two units, an overdue one and one withheld text."""
    return FollowUpPage(
        tallies=(
            UnitTally(unit="home-care", open=3, overdue=1),
            UnitTally(unit="social-care", open=14, overdue=2),
        ),
        items=(
            _listed(
                "home-care", "work_environment", "Ny plan for weekendvagter", date(2026, 12, 1)
            ),
            _listed("social-care", "relations", "Fælles introduktion for nye", date(2026, 12, 20)),
            _listed("social-care", "job_content", None, date(2027, 1, 15), owner="hr"),
        ),
        page=1,
        pages=3,
        own=(_listed("social-care", "relations", "Tal med teamet om *roller*", date(2027, 1, 5)),),
        own_more=2,
    )
