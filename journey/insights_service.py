"""Insights for HR: the periods a person may ask for, and for one of them: ask storage for the
counts, build the report, fetch the comments it allows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from journey.insights import Report, build_report
from journey.insights_counts import CommentCell, Counts, InsightsRules, QuestionInfo
from journey.periods import Period

YEARS_OFFERED = 3  # how far back the tiles a person may choose go


def offered_periods(rules: InsightsRules, today: date) -> list[Period]:
    """The tiles a person may ask for on `today`, newest first (journey.periods.Tiling)."""
    count = YEARS_OFFERED * 12 // rules.period.months
    return rules.period.settled(today, rules.settle_days, count)


def refusal(period: Period, rules: InsightsRules, today: date) -> str | None:
    """Why `period` may not be asked for on `today` (None: it may), for the operator."""
    tiling = rules.period
    if not tiling.holds(period):
        tile = tiling.tile_of(period.first)
        return (
            f"insights are shown per whole {tiling.value.replace('_', '-')} "
            f"(organisation.yaml, insights.period), e.g. {tile.first} to {tile.last}"
        )
    newest = offered_periods(rules, today)[0]
    if newest.last < period.last:
        return (
            f"{period.first} to {period.last} is not over yet, or its cases may still change "
            f"(closing.days_after_last_day): the newest is {newest.first} to {newest.last}"
        )
    return None


class InsightsSource(Protocol):
    """Where the counts come from (storage.insights.SqlInsightsSource)."""

    async def counts(
        self, periods: Sequence[Period], reportable: Collection[str], ratings: Collection[str]
    ) -> Counts: ...

    async def comment_writers(
        self, period: Period, questions: Collection[str]
    ) -> list[CommentCell]: ...

    async def comments(
        self, period: Period, unit: str | None, question_id: str, limit: int
    ) -> list[str]: ...

    async def managed_units(self, upn: str | None) -> frozenset[str]: ...


@dataclass(frozen=True)
class Insights:
    """A report and the comments that may be shown with it."""

    report: Report
    comments: Mapping[str, tuple[str, ...]]  # comment question id -> texts


async def gather(
    source: InsightsSource,
    period: Period,
    unit: str | None,
    questions: Mapping[str, QuestionInfo],
    rules: InsightsRules,
    *,
    comment_limit: int = 0,
) -> Insights:
    """Ask storage for the counts, build the report, and fetch the comments it allows.

    `period` must be one tile of HR's `insights.period` (ValueError otherwise).
    """
    if not rules.period.holds(period):
        raise ValueError(f"{period.first}..{period.last} is not one {rules.period.value}")
    ratings = [q.id for q in questions.values() if q.kind == "rating"]
    counts = await source.counts([period.previous(), period], list(questions), ratings)
    writers = await source.comment_writers(period, rules.comment_questions) if comment_limit else []
    report = build_report(counts, period, unit, questions, rules, writers)
    comments: dict[str, tuple[str, ...]] = {}
    for question_id in report.comment_questions if comment_limit else ():
        texts = await source.comments(period, unit, question_id, comment_limit)
        comments[question_id] = tuple(texts)
    return Insights(report, comments)
