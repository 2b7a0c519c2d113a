"""The rules for the survey without a conversation: only if the unit wants it, only anonymous."""

from __future__ import annotations

from datetime import date

from journey.departure import Departure, DepartureStatus
from journey.survey import (
    Attribution,
    QuestionKind,
    QuestionRule,
    SectionRule,
    SurveyPlan,
    attributions_for,
    may_take_survey,
)

LAST_DAY = date(2026, 12, 18)
SECTIONS = (SectionRule(id="s", questions=(QuestionRule(id="q", kind=QuestionKind.YES_NO),)),)


def _departure(status: DepartureStatus, interviewer: str | None = None) -> Departure:
    return Departure(
        leaver_upn="leaver@contoso.example",
        manager_upn="manager@contoso.example",
        unit="u",
        last_working_day=LAST_DAY,
        status=status,
        interviewer_upn=interviewer,
    )


def test_a_declined_leaver_takes_the_survey_only_where_the_unit_wants_it() -> None:
    declined = _departure(DepartureStatus.DECLINED)
    off = SurveyPlan(question_set="q", sections=SECTIONS)
    on = off.model_copy(update={"after_decline": True})
    assert not may_take_survey(declined, off, LAST_DAY)
    assert may_take_survey(declined, on, LAST_DAY)
    assert not may_take_survey(declined, on, date(2026, 12, 19))  # after the last day
    assert not may_take_survey(declined, on.model_copy(update={"enabled": False}), LAST_DAY)
    # Offered, not yet answered: not before the leaver said no (or yes).
    assert not may_take_survey(_departure(DepartureStatus.OFFERED), on, LAST_DAY)


def test_without_an_interviewer_answers_can_only_count_anonymously() -> None:
    assert attributions_for(_departure(DepartureStatus.DECLINED)) == (Attribution.ANONYMOUS_STATS,)
    booked = _departure(DepartureStatus.BOOKED, "hrpartner@contoso.example")
    assert attributions_for(booked) == tuple(Attribution)
