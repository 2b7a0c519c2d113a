"""What journey.insights needs from HR's configuration: rules, questions, labels."""

from __future__ import annotations

from config.loaded import LoadedConfig
from config.schema import FreeText, MultipleChoice, Rating, SingleChoice
from journey.insights_counts import InsightsRules, QuestionInfo
from journey.periods import Tiling


def insights_rules(config: LoadedConfig) -> InsightsRules:
    """organisation.yaml's `insights` settings as the rules of journey.insights."""
    settings = config.organisation.insights
    return InsightsRules(
        min_answers=settings.min_answers,
        min_comments=settings.min_comments,
        reasons_question=settings.reasons_question,
        recommend_question=settings.recommend_question,
        comment_questions=tuple(settings.comment_questions),
        period=Tiling(settings.period),
        settle_days=_longest_closing_days(config) + 1,
    )


def _longest_closing_days(config: LoadedConfig) -> int:
    """A tile is settled once every case in it could have closed (journey.closing)."""
    units = [config.unit(unit) for unit in config.unit_ids]
    return max(settings.closing.days_after_last_day for settings in [config.defaults, *units])


def reportable_questions(config: LoadedConfig) -> dict[str, QuestionInfo]:
    """Every question marked reportable in any question set, by id (same id, same question)."""
    found: dict[str, QuestionInfo] = {}
    for qset in config.question_sets.values():
        for section in qset.sections:
            for question in section.questions:
                if not question.reportable or question.id in found:
                    continue
                points = question.points if isinstance(question, Rating) else 5
                found[question.id] = QuestionInfo(id=question.id, kind=question.type, points=points)
    return found


def section_title(config: LoadedConfig, section_id: str, locale: str | None) -> str:
    """A section's title in the reader's language (the first question set that has it)."""
    for qset in config.question_sets.values():
        for section in qset.sections:
            if section.id == section_id:
                return section.title.get(locale)
    return section_id


def section_order(config: LoadedConfig) -> dict[str, int]:
    """Section id -> its place in the order the question sets ask them."""
    order: dict[str, int] = {}
    for qset in config.question_sets.values():
        for section in qset.sections:
            order.setdefault(section.id, len(order))
    return order


def option_label(config: LoadedConfig, question_id: str, option: str, locale: str | None) -> str:
    """A choice's label in the reader's language."""
    for qset in config.question_sets.values():
        for section in qset.sections:
            for question in section.questions:
                if question.id != question_id:
                    continue
                if isinstance(question, SingleChoice | MultipleChoice):
                    for choice in question.options:
                        if choice.id == option:
                            return choice.label.get(locale)
    return option


def comment_prompt(config: LoadedConfig, question_id: str, locale: str | None) -> str | None:
    """A free-text question's prompt in the reader's language; None if no set asks it."""
    for qset in config.question_sets.values():
        for section in qset.sections:
            for question in section.questions:
                if question.id == question_id and isinstance(question, FreeText):
                    return question.prompt.get(locale)
    return None
