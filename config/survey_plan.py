"""The survey a unit asks, as the domain's rules (journey.survey.SurveyPlan) from HR's YAML."""

from __future__ import annotations

from config.loaded import LoadedConfig
from config.rules import offer_policy
from config.schema import FreeText, MultipleChoice, Rating, Section, SingleChoice, YesNo
from journey.survey import YES_NO_OPTIONS, QuestionKind, QuestionRule, SectionRule, SurveyPlan


def _rule(question: SingleChoice | MultipleChoice | Rating | FreeText | YesNo) -> QuestionRule:
    kind = QuestionKind(question.type)
    if isinstance(question, SingleChoice | MultipleChoice):
        options = tuple(option.id for option in question.options)
    elif isinstance(question, Rating):
        options = tuple(str(point) for point in range(1, question.points + 1))
    elif isinstance(question, YesNo):
        options = YES_NO_OPTIONS
    else:
        options = ()
    return QuestionRule(
        id=question.id,
        kind=kind,
        options=options,
        max_length=question.max_length if isinstance(question, FreeText) else 1000,
        reportable=question.reportable,
    )


def survey_plan(config: LoadedConfig, unit: str | None) -> SurveyPlan:
    """The unit's sections and questions, in order, as rules for its answers (worked out once
    per configuration: every survey click asks for it)."""
    return config.once(("survey_plan", unit or None), lambda: _plan(config, unit))


def _plan(config: LoadedConfig, unit: str | None) -> SurveyPlan:
    choice = config.unit(unit or None).survey
    sections = config.survey_sections(unit or None)
    offers = offer_policy(config, unit)
    return SurveyPlan(
        instead_of_conversation=frozenset(t.value for t in offers.survey_instead_types()),
        not_offered=frozenset(t.value for t in offers.no_survey_types()),
        question_set=choice.question_set,
        enabled=choice.enabled,
        after_decline=choice.after_decline,
        sections=tuple(
            SectionRule(id=section.id, questions=tuple(_rule(q) for q in section.questions))
            for section in sections
        ),
    )


def survey_sections(config: LoadedConfig, unit: str | None) -> list[Section]:
    """The unit's sections with their wording, for the cards."""
    return config.survey_sections(unit or None)
