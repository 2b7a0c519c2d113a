"""The survey's pure rules: what an answer may be, and who may read which answer."""

from __future__ import annotations

from datetime import date

import pytest

from config.loader import default_config_dir, load_config
from config.survey_plan import survey_plan
from journey.access import Role
from journey.departure import Departure, DepartureStatus
from journey.survey import (
    Answer,
    Attribution,
    BadAnswer,
    RefusalReason,
    SectionRule,
    SurveyPlan,
    may_take_survey,
    may_withdraw,
    parse_section,
    with_attributions,
)
from journey.survey_access import readable, visible_answers

A = Attribution


@pytest.fixture(scope="module")
def plan() -> SurveyPlan:
    return survey_plan(load_config(default_config_dir()), "social-care")


def _section(plan: SurveyPlan, section_id: str) -> SectionRule:
    return next(s for s in plan.sections if s.id == section_id)


def test_the_plan_follows_the_seeds(plan: SurveyPlan) -> None:
    questions = {q.id: q for s in plan.sections for q in s.questions}
    # Seed 004's four areas and seed 003's reasons, pay and suggestions.
    assert {"reasons", "motivation", "relations", "work_environment"} <= {
        s.id for s in plan.sections
    }
    assert questions["recommend"].options == ("yes", "no") and questions["recommend"].reportable
    assert questions["stay"].kind == "free_text" and not questions["stay"].reportable
    assert questions["development"].options == ("1", "2", "3", "4", "5")


def test_a_section_keeps_answers_and_skips_blanks(plan: SurveyPlan) -> None:
    section = _section(plan, "work_environment")
    answers, skipped = parse_section(
        section,
        {"recommend": "yes", "stay": "  Mere fleksibel arbejdstid\n", "culture": " "},
        A.NAMED,
    )
    assert {a.question_id: a.value for a in answers} == {
        "recommend": "yes",
        "stay": "  Mere fleksibel arbejdstid\n",  # free text exactly as written
    }
    assert "culture" in skipped and "physical_conditions" in skipped


def test_multiple_choice_keeps_the_questions_order(plan: SurveyPlan) -> None:
    answers, _ = parse_section(_section(plan, "reasons"), {"reasons": "pay,career"}, A.NAMED)
    assert answers[0].value == ["career", "pay"]


@pytest.mark.parametrize(
    ("section", "raw", "reason"),
    [
        ("work_environment", {"culture": "x" * 301}, RefusalReason.TOO_LONG),
        ("work_environment", {"recommend": "maybe"}, RefusalReason.UNKNOWN_CHOICE),
        ("reasons", {"reasons": "pay,bribes"}, RefusalReason.UNKNOWN_CHOICE),
        ("reasons", {"reasons": "pay,pay"}, RefusalReason.UNKNOWN_CHOICE),
        ("motivation", {"development": "6"}, RefusalReason.UNKNOWN_CHOICE),
        ("reasons", {"stay": "a question of another card"}, RefusalReason.FOREIGN_QUESTION),
    ],
)
def test_bad_answers_are_refused(
    plan: SurveyPlan, section: str, raw: dict[str, str], reason: RefusalReason
) -> None:
    with pytest.raises(BadAnswer) as refused:
        parse_section(_section(plan, section), raw, A.NAMED)
    assert refused.value.reason is reason


def test_attribution_changes_only_for_given_answers() -> None:
    given = [Answer(question_id="stay", section_id="w", value="x", attribution=A.NAMED)]
    [changed] = with_attributions(given, {"stay": A.ANONYMOUS_STATS})
    assert changed.attribution is A.ANONYMOUS_STATS
    with pytest.raises(BadAnswer):
        with_attributions(given, {"recommend": A.NAMED})


# Who reads which attribution: the whole access rule as one table.
ACCESS = {
    Role.LEAVER: {A.NAMED, A.INTERVIEWER_ONLY, A.ANONYMOUS_STATS},
    Role.INTERVIEWER: {A.NAMED, A.INTERVIEWER_ONLY},
    Role.MANAGER: set(),  # a manager the leaver did not choose
    Role.HR: set(),
    Role.OTHER: set(),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("attribution", list(Attribution))
def test_the_access_table(role: Role, attribution: Attribution) -> None:
    answer = Answer(question_id="stay", section_id="w", value="x", attribution=attribution)
    expected = attribution in ACCESS[role]
    assert (attribution in readable({role})) is expected
    assert (visible_answers({role}, [answer]) == [answer]) is expected


def _departure(**values: object) -> Departure:
    base: dict[str, object] = {
        "leaver_upn": "leaver@contoso.example",
        "manager_upn": "manager@contoso.example",
        "unit": "social-care",
        "last_working_day": date(2026, 12, 18),
        "status": DepartureStatus.BOOKED,
        "interviewer_upn": "hrpartner@contoso.example",
    }
    return Departure.model_validate({**base, **values})


def test_the_survey_is_open_until_the_last_day_with_someone_to_hold_it(plan: SurveyPlan) -> None:
    assert may_take_survey(_departure(), plan, date(2026, 12, 18))
    assert not may_take_survey(_departure(), plan, date(2026, 12, 19))
    assert not may_take_survey(_departure(status=DepartureStatus.OFFERED), plan, date(2026, 12, 1))
    assert not may_take_survey(
        _departure(status=DepartureStatus.ACCEPTED, interviewer_upn=None), plan, date(2026, 12, 1)
    )
    off = plan.model_copy(update={"enabled": False})
    assert not may_take_survey(_departure(), off, date(2026, 12, 1))
    assert may_withdraw(_departure(), date(2026, 12, 18))
    assert not may_withdraw(_departure(), date(2026, 12, 19))
