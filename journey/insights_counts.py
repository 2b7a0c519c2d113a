"""What journey.insights is built from: HR's settings and the counts storage adds up.

Only answers the leaver released to statistics (journey.survey_access.COUNTED) to questions HR
marked reportable reach these counts (storage.insights).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from journey.closing import DEFAULT_DAYS_AFTER_LAST_DAY
from journey.periods import Tiling


class InsightsRules(BaseModel):
    """HR's settings for insights (config.schema.InsightsSettings has the same fields)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_answers: int = Field(5, ge=2)
    min_comments: int = Field(10, ge=2)
    reasons_question: str = "reasons"
    recommend_question: str = "recommend"
    comment_questions: tuple[str, ...] = ()
    top_reasons: int = Field(5, ge=1)
    # Figures are shown per whole tile of this length, once it ended more than `settle_days`
    # ago (a case may change until it closes: journey.closing).
    period: Tiling = Tiling.HALF_YEAR
    settle_days: int = Field(DEFAULT_DAYS_AFTER_LAST_DAY, ge=0)


class DepartureCell(BaseModel):
    """Departures of one unit whose last working day is in one month (cancelled ones left out)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    month: str  # YYYY-MM
    departures: int
    accepted: int  # said yes to a conversation (and did not take it back)
    answered: int  # sent a survey with at least one answer counted in statistics
    departure_type: str = "resignation"  # journey.departure.DepartureType's values (issue 11)


class AnswerCell(BaseModel):
    """How many counted answers to one reportable question had one value, per unit and month."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    month: str  # YYYY-MM; or the first month of a whole period added up under it
    section_id: str
    question_id: str
    value: str | list[str]
    count: int


class SectionCell(BaseModel):
    """How many leavers gave at least one counted rating in a section, per unit and month."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    month: str  # as AnswerCell.month
    section_id: str
    respondents: int


class CommentCell(BaseModel):
    """How many leavers wrote a counted comment to one comment question, per unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    question_id: str
    writers: int


class FollowUpCell(BaseModel):
    """Follow-ups agreed in one area, per unit and period (issue 14): of how many departures,
    how many follow-ups, and how many of them are done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    month: str  # the first month of a whole period, as AnswerCell.month
    area: str  # a section id of the unit's question set
    departures: int  # departures with at least one follow-up in the area: the group's size
    agreed: int
    done: int


class Counts(BaseModel):
    """Everything storage adds up for one report and the period before it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    departures: tuple[DepartureCell, ...] = ()
    answers: tuple[AnswerCell, ...] = ()
    sections: tuple[SectionCell, ...] = ()
    follow_ups: tuple[FollowUpCell, ...] = ()


class QuestionInfo(BaseModel):
    """What the report needs to know of a reportable question (from the question sets)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: str  # journey.survey.QuestionKind's values
    points: int = 5  # rating questions: 1..points
