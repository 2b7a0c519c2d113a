"""HR's leave dates from Entra ID (issue 16, cards.leave_dates): golden cards of
tests/cards/catalogue.py, kept apart from it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cards.leave_dates import LeaveDatesView
from cards.locale import Speaker
from config.loaded import LoadedConfig
from journey.leave_dates import CheckReport, CheckStatus, Finding, FindingState

CHECKED = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def finding(user: str, name: str, day: date, state: FindingState, **more: Any) -> Finding:
    return Finding(
        user_id=user,
        upn=f"{user}@contoso.example",
        name=name,
        leave_date=day,
        state=state,
        seen_at=CHECKED,
        revision=2,
        **more,
    )


def findings() -> list[Finding]:
    """One of each kind HR is shown, the soonest leave date first."""
    return [
        finding(
            "u-1", "Åse Østergaard", date(2026, 12, 4), FindingState.TO_CANCEL,
            unit="social-care", departure_id="d-0001",
        ),
        finding("u-2", "Jonas Lund", date(2026, 12, 11), FindingState.TO_CONFIRM, unit="home-care"),
        finding(
            "u-3", "Mette *Nørgaard*", date(2026, 12, 18), FindingState.NO_UNIT,
            unit_value="Køkken & Kantine",
        ),
        finding(
            "u-4", "Lars Berg", date(2027, 1, 8), FindingState.NOT_REGISTERED,
            unit="social-care", problem="register.no_manager",
        ),
        finding(
            "u-5", "Sofie Holm", date(2027, 1, 15), FindingState.TO_CONFIRM, unit="social-care"
        ),
    ]  # fmt: skip


def leave_date_views(config: LoadedConfig, language: str) -> dict[str, LeaveDatesView]:
    """The card with one row of each kind, empty after a click, after a refused check."""
    say = Speaker(config, language)
    units = [(unit, config.unit_name(unit, language) or unit) for unit in config.unit_ids]
    zone = config.defaults.calendar.zone
    report = CheckReport(read=412, registered=0, to_confirm=2, no_unit=1, moved=1, to_cancel=1)
    checked = CheckStatus(checked_at=CHECKED, report=report)
    refused = CheckStatus(
        checked_at=CHECKED,
        report=CheckReport(),
        failure="not_allowed",
        failed_at=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
    )
    notice = say("leave_dates.registered_count", count=2)
    return {
        "leave-dates": LeaveDatesView(findings=findings(), status=checked, units=units, zone=zone),
        "leave-dates-registered": LeaveDatesView(
            findings=[], status=checked, units=units, zone=zone, notice=notice
        ),
        "leave-dates-refused-check": LeaveDatesView(
            findings=[], status=refused, units=units, zone=zone
        ),
    }
