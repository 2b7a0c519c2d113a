"""Insights for HR: ask storage for the counts, build the report, fetch the comments it allows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from journey.insights import Report, build_report
from journey.insights_counts import CommentCell, Counts, InsightsRules, QuestionInfo
from journey.periods import Period


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
    """Ask storage for the counts, build the report, and fetch the comments it allows."""
    ratings = [q.id for q in questions.values() if q.kind == "rating"]
    counts = await source.counts([period.previous(), period], list(questions), ratings)
    writers = await source.comment_writers(period, rules.comment_questions) if comment_limit else []
    report = build_report(counts, period, unit, questions, rules, writers)
    comments: dict[str, tuple[str, ...]] = {}
    for question_id in report.comment_questions if comment_limit else ():
        texts = await source.comments(period, unit, question_id, comment_limit)
        comments[question_id] = tuple(texts)
    return Insights(report, comments)
