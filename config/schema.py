"""The shape of HR's YAML as pydantic models; every model forbids unknown keys.

Defaults written here are the documented defaults (config/README.md): a setting left out of
organisation.yaml takes the value below, and a unit leaves out what it inherits.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    RootModel,
    field_validator,
)

from config.schema_base import (
    LANGUAGE_ALIASES,
    WEEKDAYS,
    Id,
    Localized,
    NonEmpty,
    Strict,
    Text,
    TextKey,
    Upn,
    _entra_id,
    _unique,
)
from config.schema_calendar import Calendar
from config.schema_closing import Closing
from config.schema_departures import DepartureSource, EntraSettings, RefusedInDefaults
from config.schema_farewell import Farewell
from config.schema_offer import OfferSettings
from config.schema_patterns import Patterns
from journey.after_conversation import Gesture
from journey.departure import InterviewerKind

__all__ = ["LANGUAGE_ALIASES", "WEEKDAYS", "Localized", "Strict"]


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"
    FREE_TEXT = "free_text"
    YES_NO = "yes_no"


class Conversation(Strict):
    """The conversation itself: how long, and who may hold it."""

    minutes: int = Field(60, ge=15, le=180)
    # Only the manager unless HR names others: hr_partner and pool need people listed.
    interviewers: Annotated[list[InterviewerKind], AfterValidator(_unique)] = Field(
        default_factory=lambda: [InterviewerKind.MANAGER], min_length=1
    )
    hr_partners: Annotated[list[Upn], AfterValidator(_unique)] = Field(default_factory=list)
    pool: Annotated[list[Upn], AfterValidator(_unique)] = Field(default_factory=list)


class Reminders(Strict):
    """When the bot reminds whom; all offsets are whole, non-negative numbers."""

    handover_days_before: int = Field(14, ge=0, le=365)
    conversation_working_days_before: int = Field(1, ge=0, le=30)
    farewell_days_before: int = Field(3, ge=0, le=60)
    escalate_after_working_days: int = Field(3, ge=0, le=60)
    # Seed 000 warns of the power asymmetry: an unanswered offer is not pushed via the manager.
    escalate_unanswered_offer_to_manager: bool = False


class SurveyChoice(Strict):
    """Which questions a unit asks."""

    enabled: bool = True
    # Also offer the survey to a leaver who declined the conversation (anonymous statistics only).
    after_decline: bool = False
    question_set: Id = "standard"
    sections: Annotated[list[Id], AfterValidator(_unique)] | None = None
    skip_questions: Annotated[list[Id], AfterValidator(_unique)] = Field(default_factory=list)


class UnitSettings(Strict):
    """What each unit may shape; the organisation's `defaults` fill in what a unit leaves out."""

    conversation: Conversation = Conversation()
    calendar: Calendar = Calendar()
    reminders: Reminders = Reminders()
    handover: Annotated[list[Id], AfterValidator(_unique)] | None = None
    thank_you_offers: Annotated[list[Gesture], AfterValidator(_unique)] = Field(
        default_factory=lambda: list(Gesture)
    )
    survey: SurveyChoice = SurveyChoice()
    offer: OfferSettings = OfferSettings()  # config/schema_offer.py
    hr_contact: Upn | None = None  # escalations about the interviewer; else first HR partner/member
    farewell: Farewell = Farewell()
    closing: Closing = Closing()  # config/schema_closing.py
    patterns: Patterns = Patterns()  # config/schema_patterns.py (issue 14)
    # Written in a unit only (Unit below); in `defaults` it is refused: the organisation's
    # source is `departures.source` (config/schema_departures.py).
    departures_source: RefusedInDefaults = Field(None, exclude=True)


class HrMembers(Strict):
    """Who counts as HR: may register departures and see insights."""

    members: Annotated[list[Upn], AfterValidator(_unique)] = Field(default_factory=list)
    entra_group_id: Annotated[str, AfterValidator(_entra_id)] | None = None


class InsightsSettings(Strict):
    """What HR sees across departures, and the smallest groups it is shown for."""

    # No figure for fewer departures or answers than this; free-text comments need more.
    min_answers: int = Field(5, ge=3, le=100)
    min_comments: int = Field(10, ge=5, le=100)
    reasons_question: Id = "reasons"
    recommend_question: Id = "recommend"
    # Free-text questions whose answers (released to statistics) HR may read as comments.
    comment_questions: Annotated[list[Id], AfterValidator(_unique)] = Field(
        default_factory=lambda: ["stay", "suggestions"]
    )
    # Figures are shown per whole calendar quarter, half-year or year once it is over: periods
    # that overlap would give away the months where they differ (journey.periods.Tiling).
    period: Literal["quarter", "half_year", "year"] = "half_year"


class DepartureSettings(Strict):
    """What HR lets be registered (issue 12): a last working day at most this far ahead; and
    where departures come from (issue 16): HR's doors only, or also Entra ID's leave date."""

    max_days_ahead: int = Field(365, ge=1, le=3650)
    source: DepartureSource = "manual"
    entra: EntraSettings = EntraSettings()  # config/schema_departures.py


class OrganisationFile(Strict):
    """organisation.yaml."""

    name: NonEmpty
    data_retention_months: int = Field(12, ge=1, le=120)
    hr: HrMembers
    defaults: UnitSettings = UnitSettings()
    insights: InsightsSettings = InsightsSettings()
    departures: DepartureSettings = DepartureSettings()


class Unit(UnitSettings):
    """One unit in units.yaml: its own settings on top of its parent's or the organisation's."""

    id: Id
    name: NonEmpty
    # The name in each language, where it differs (issue 11); `name` where none is given.
    names: Localized | None = None
    parent: Id | None = None
    # The unit's union or staff representatives (seed 000: "tillidsrepræsentant"): they see
    # the unit's insights and follow-ups, and those of the units below it (issue 14).
    representatives: Annotated[list[Upn], AfterValidator(_unique)] = Field(default_factory=list)
    texts: dict[TextKey, Localized] = Field(default_factory=dict)
    # Where this unit's departures come from, when not as the organisation's (issue 16);
    # the units below it inherit it (config.overrides.unit_departures_source).
    departures_source: DepartureSource | None = None


class UnitsFile(Strict):
    """units.yaml."""

    units: list[Unit] = Field(default_factory=list)


class ChoiceOption(Strict):
    id: Id
    label: Localized


class _Question(Strict):
    id: Id
    prompt: Localized
    # Counted in HR's statistics across units (never shown with fewer answers than the
    # anonymity threshold).
    reportable: bool = False


class SingleChoice(_Question):
    type: Literal["single_choice"]
    options: list[ChoiceOption] = Field(min_length=2)


class MultipleChoice(_Question):
    type: Literal["multiple_choice"]
    options: list[ChoiceOption] = Field(min_length=2)


class Rating(_Question):
    type: Literal["rating"]
    points: int = Field(5, ge=3, le=10)
    low_label: Localized
    high_label: Localized


class FreeText(_Question):
    type: Literal["free_text"]
    max_length: int = Field(1000, ge=1, le=4000)

    @field_validator("reportable")
    @classmethod
    def _never_counted(cls, reportable: bool) -> bool:
        if reportable:
            raise ValueError("free-text answers cannot be reportable: they may identify the person")
        return reportable


class YesNo(_Question):
    type: Literal["yes_no"]


Question = Annotated[
    SingleChoice | MultipleChoice | Rating | FreeText | YesNo, Field(discriminator="type")
]


class Section(Strict):
    id: Id
    title: Localized
    intro: Localized | None = None
    questions: list[Question] = Field(min_length=1)


class QuestionSet(Strict):
    id: Id
    title: Localized
    sections: list[Section] = Field(min_length=1)

    def question_ids(self) -> list[str]:
        return [question.id for section in self.sections for question in section.questions]


class QuestionsFile(Strict):
    """questions.yaml."""

    question_sets: list[QuestionSet] = Field(min_length=1)


class HandoverItem(Strict):
    id: Id
    label: Localized
    hint: Localized | None = None


class HandoverFile(Strict):
    """handover.yaml."""

    items: list[HandoverItem] = Field(min_length=1)


class TextsFile(RootModel[dict[TextKey, Text]]):
    """texts/<language>.yaml: text key → text."""
