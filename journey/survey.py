"""The optional survey before the conversation: its questions, a leaver's progress, their answers.

Plain rules, no storage: which questions a unit asks (a `SurveyPlan`, built from HR's YAML by
config.survey_plan), whether an answer fits its question, and where the leaver stands. Who may
read which answer is journey.survey_access.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from journey.departure import Departure, DepartureStatus
from journey.refusals import JourneyRefusal

AnswerValue = str | list[str]


class Attribution(StrEnum):
    """How the leaver lets an answer be used; chosen for the survey, changeable per answer."""

    NAMED = "named"  # the interviewer sees it with the leaver's name; counted in statistics
    INTERVIEWER_ONLY = "interviewer_only"  # the interviewer sees it; kept out of statistics
    ANONYMOUS_STATS = "anonymous_stats"  # nobody sees it, it only counts in anonymous statistics


class QuestionKind(StrEnum):
    """The kinds of question HR can write (config.schema.QuestionType's values)."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"
    FREE_TEXT = "free_text"
    YES_NO = "yes_no"


YES_NO_OPTIONS = ("yes", "no")


class QuestionRule(BaseModel):
    """What an answer to one question may be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: QuestionKind
    options: tuple[str, ...] = ()  # choice ids; rating points as "1".."n"; "yes"/"no"
    max_length: int = 1000  # free text only
    reportable: bool = False


class SectionRule(BaseModel):
    """One card of the survey."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    questions: tuple[QuestionRule, ...]


class SurveyPlan(BaseModel):
    """The survey a unit asks: its question set, and the sections in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_set: str
    sections: tuple[SectionRule, ...]
    enabled: bool = True
    # The unit also offers the survey to a leaver who declined the conversation (answers then
    # count only in anonymous statistics: there is nobody to share them with).
    after_decline: bool = False
    # Issue 11, the unit's offer per type of departure (journey.offer_policy): the types that
    # get the survey instead of a conversation, and those offered no survey at all.
    instead_of_conversation: frozenset[str] = frozenset()
    not_offered: frozenset[str] = frozenset()

    def section(self, index: int) -> SectionRule:
        return self.sections[index]

    def section_of(self, question_id: str) -> SectionRule | None:
        """The section that asks `question_id`, if any."""
        for section in self.sections:
            if any(question.id == question_id for question in section.questions):
                return section
        return None


class SurveyStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SENT = "sent"
    WITHDRAWN = "withdrawn"


class SurveyProgress(BaseModel):
    """Where one leaver stands in the survey; every card action must name `revision`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    departure_id: str
    question_set: str
    attribution: Attribution
    # 0..len(sections)-1: that section's card; len(sections): the summary.
    position: int = 0
    status: SurveyStatus = SurveyStatus.IN_PROGRESS
    # Goes up with every change, so a replayed or older card is recognised as stale.
    revision: int = 0
    started_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None


class Answer(BaseModel):
    """One answer as the leaver gave it (free text exactly as written)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_id: str
    section_id: str
    value: AnswerValue
    attribution: Attribution


class RefusalReason(StrEnum):
    """Why an answer was not stored; each has its own text (survey.refused.<reason>)."""

    TOO_LONG = "too_long"
    UNKNOWN_CHOICE = "unknown_choice"
    FOREIGN_QUESTION = "foreign_question"  # not a question of this card (another departure's)


class BadAnswer(JourneyRefusal):
    """An answer that does not fit its question; nothing was stored."""

    def __init__(self, reason: RefusalReason, question_id: str) -> None:
        super().__init__(f"{reason.value}: {question_id}")
        self.reason = reason
        self.question_id = question_id


class SurveyDisabled(JourneyRefusal):
    """The unit asks no survey, or the departure is past the point where it makes sense."""


class SurveyClosed(JourneyRefusal):
    """The survey was sent or withdrawn: the card that asked is stale."""


# The survey prepares the conversation: it needs someone to hold it.
_OPEN_STATUSES = frozenset({DepartureStatus.ACCEPTED, DepartureStatus.BOOKED})


def may_take_survey(departure: Departure, plan: SurveyPlan, today: date) -> bool:
    """Whether the leaver can start or go on with the survey now."""
    if not (plan.enabled and plan.sections and today <= departure.last_working_day):
        return False
    if departure.departure_type.value in plan.not_offered:
        return False
    if departure.status is DepartureStatus.REGISTERED:  # no conversation offered: instead?
        return departure.departure_type.value in plan.instead_of_conversation
    if departure.status is DepartureStatus.DECLINED:
        return plan.after_decline
    return departure.status in _OPEN_STATUSES and departure.interviewer_upn is not None


def attributions_for(departure: Departure) -> tuple[Attribution, ...]:
    """The choices that make sense now: without a conversation, nobody to share answers with.

    After declining, answers count only in anonymous statistics. Not named for HR: HR never
    reads one person's answers (journey.survey_access), and the leaver said no to talking.
    """
    if departure.status is DepartureStatus.DECLINED or departure.interviewer_upn is None:
        return (Attribution.ANONYMOUS_STATS,)
    return tuple(Attribution)


def may_withdraw(departure: Departure, today: date) -> bool:
    """Answers can be withdrawn until (and on) the last working day."""
    return today <= departure.last_working_day


def parse_section(
    section: SectionRule, raw: Mapping[str, str], attribution: Attribution
) -> tuple[list[Answer], list[str]]:
    """The answers a section card carries, and the questions left blank; BadAnswer if one is bad.

    `raw` maps question ids to what the card sent. A blank answer is a skipped question.
    """
    questions = {question.id: question for question in section.questions}
    for question_id in raw:
        if question_id not in questions:
            raise BadAnswer(RefusalReason.FOREIGN_QUESTION, question_id)
    answers: list[Answer] = []
    skipped: list[str] = []
    for question in section.questions:
        given = raw.get(question.id, "")
        value = _value(question, given)
        if value is None:
            skipped.append(question.id)
        else:
            answers.append(
                Answer(
                    question_id=question.id,
                    section_id=section.id,
                    value=value,
                    attribution=attribution,
                )
            )
    return answers, skipped


def _value(question: QuestionRule, given: str) -> AnswerValue | None:
    if not given.strip():
        return None
    if question.kind is QuestionKind.FREE_TEXT:
        if len(given) > question.max_length:
            raise BadAnswer(RefusalReason.TOO_LONG, question.id)
        return given  # as written: the leaver's own words
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        # Teams sends a multi-select as "a,b,c".
        chosen = [part.strip() for part in given.split(",") if part.strip()]
        if any(choice not in question.options for choice in chosen) or len(set(chosen)) != len(
            chosen
        ):
            raise BadAnswer(RefusalReason.UNKNOWN_CHOICE, question.id)
        return [option for option in question.options if option in chosen]
    if given.strip() not in question.options:
        raise BadAnswer(RefusalReason.UNKNOWN_CHOICE, question.id)
    return given.strip()


def with_attributions(
    answers: Sequence[Answer], changes: Mapping[str, Attribution]
) -> list[Answer]:
    """The answers with the attributions the leaver changed on the summary.

    A change for a question the leaver did not answer is a foreign question: refused.
    """
    by_id = {answer.question_id: answer for answer in answers}
    for question_id in changes:
        if question_id not in by_id:
            raise BadAnswer(RefusalReason.FOREIGN_QUESTION, question_id)
    changed = []
    for answer in answers:
        chosen = changes.get(answer.question_id, answer.attribution)
        kept = chosen == answer.attribution  # most are unchanged: no copy
        changed.append(answer if kept else answer.model_copy(update={"attribution": chosen}))
    return changed
