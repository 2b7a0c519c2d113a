"""Checks of the settings in force, for the organisation and for each unit after inheriting."""

from __future__ import annotations

from collections.abc import Mapping

from config.hints import suggest
from config.overrides import all_effective_settings
from config.parsed import Parsed
from config.problems import ConfigProblem
from config.schema import InterviewerKind, QuestionSet, Unit, UnitSettings
from config.yaml_source import Loc


def check_effective_settings(parsed: Parsed) -> list[ConfigProblem]:
    """Mistakes in what applies: the organisation's defaults, then each unit's result.

    A unit is told only about mistakes it does not inherit (those are told at their source).
    """
    organisation, source = parsed.organisation, parsed.units
    if organisation is None or source is None or parsed.questions is None:
        return []
    if parsed.handover is None:
        return []
    defaults = organisation.model.defaults
    org_found = _settings(defaults, parsed)
    problems = [
        organisation.doc.problem_near(("defaults", *loc), message) for loc, message in org_found
    ]
    by_id = units_by_id(source.model.units)
    index_of = {unit.id: i for i, unit in reversed(list(enumerate(source.model.units)))}
    effective = all_effective_settings(defaults, by_id)
    # Each unit's mistakes, worked out once: its children compare theirs with them.
    found = {
        unit_id: _settings(settings, parsed)
        for unit_id, settings in effective.items()
        if settings is not None
    }
    for unit_id, unit in by_id.items():
        if unit_id not in found:
            continue
        inherited = org_found if unit.parent is None else found.get(unit.parent, [])
        for loc, message in found[unit_id]:
            if (loc, message) not in inherited:
                where = ("units", index_of[unit_id], *loc)
                problems.append(source.doc.problem_near(where, message))
    return problems


def units_by_id(units: list[Unit]) -> dict[str, Unit]:
    """Units by id; of two with the same id (a mistake reported on its own) the first."""
    by_id: dict[str, Unit] = {}
    for unit in units:
        by_id.setdefault(unit.id, unit)
    return by_id


def _settings(settings: UnitSettings, parsed: Parsed) -> list[tuple[Loc, str]]:
    """Mistakes in effective settings, as (path inside the settings, message)."""
    assert parsed.handover is not None and parsed.questions is not None
    found: list[tuple[Loc, str]] = []
    conversation = settings.conversation
    if InterviewerKind.POOL in conversation.interviewers and not conversation.pool:
        found.append(
            (("conversation", "pool"), "the pool is offered (interviewers) but lists nobody")
        )
    if InterviewerKind.HR_PARTNER in conversation.interviewers and not conversation.hr_partners:
        found.append(
            (
                ("conversation", "hr_partners"),
                "an HR partner is offered (interviewers) but none is named",
            )
        )
    items = {item.id for item in parsed.handover.model.items}
    for n, item in enumerate(settings.handover or []):
        if item not in items:
            found.append((("handover", n), f"unknown handover item {item!r}{suggest(item, items)}"))
    found += settings.calendar.problems()
    found += _survey(settings, {q.id: q for q in parsed.questions.model.question_sets})
    return found


def _survey(settings: UnitSettings, sets: Mapping[str, QuestionSet]) -> list[tuple[Loc, str]]:
    survey = settings.survey
    qset = sets.get(survey.question_set)
    if qset is None:
        return [
            (
                ("survey", "question_set"),
                f"unknown question set {survey.question_set!r}{suggest(survey.question_set, sets)}",
            )
        ]
    found: list[tuple[Loc, str]] = []
    sections = [section.id for section in qset.sections]
    for n, section in enumerate(survey.sections or []):
        if section not in sections:
            found.append(
                (
                    ("survey", "sections", n),
                    f"no section {section!r} in question set {qset.id!r}"
                    f"{suggest(section, sections)}",
                )
            )
    questions = qset.question_ids()
    for n, question in enumerate(survey.skip_questions):
        if question not in questions:
            found.append(
                (
                    ("survey", "skip_questions", n),
                    f"no question {question!r} in question set {qset.id!r}"
                    f"{suggest(question, questions)}",
                )
            )
    chosen = [s for s in qset.sections if not survey.sections or s.id in survey.sections]
    left = {q.id for s in chosen for q in s.questions} - set(survey.skip_questions)
    if survey.enabled and not found and not left:
        found.append((("survey",), "the survey leaves no questions to ask"))
    return found
