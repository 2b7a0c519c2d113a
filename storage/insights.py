"""The counts behind insights, added up in SQL: no answer leaves the database one by one.

Every query keeps to journey.survey_access's rule for statistics: only answers whose
attribution is in COUNTED, of surveys the leaver sent, to questions HR marked reportable.
Cancelled departures (the person stayed) are left out. Free-text comments are read only for
the questions HR lists as comment questions, only as the text, in an order that says nothing
about who wrote them or when (by the random departure id), and only after journey.insights
allowed the group.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Join,
    Label,
    Row,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
)

from journey.departure import DepartureStatus
from journey.insights_counts import (
    AnswerCell,
    CommentCell,
    Counts,
    DepartureCell,
    FollowUpCell,
    SectionCell,
)
from journey.periods import Period
from journey.survey import SurveyStatus
from journey.survey_access import COUNTED
from storage.database import Database
from storage.senders import senders_of
from storage.tables import departures, follow_ups, survey_answers, survey_progress

_Cell = TypeVar("_Cell", DepartureCell, AnswerCell, SectionCell, CommentCell, FollowUpCell)

_COUNTED = sorted(attribution.value for attribution in COUNTED)


def _month(db: Database) -> ColumnElement[Any]:
    """The last working day's month as YYYY-MM, in the database's own spelling."""
    day = departures.c.last_working_day
    if db.dialect == "postgresql":
        return func.to_char(day, literal("YYYY-MM"))
    return func.strftime(literal("%Y-%m"), day)


def _in_period(period: Period) -> ColumnElement[bool]:
    return and_(
        departures.c.status != DepartureStatus.CANCELLED.value,
        departures.c.last_working_day >= period.first.first_day,
        departures.c.last_working_day <= period.last.last_day,
    )


def _counted_answers() -> ColumnElement[bool]:
    """Answers released to statistics, of a sent survey."""
    return and_(
        survey_answers.c.attribution.in_(_COUNTED),
        survey_progress.c.status == SurveyStatus.SENT.value,
    )


def _answers_joined() -> Join:
    """Answers with their departure and their survey's progress."""
    return survey_answers.join(departures, departures.c.id == survey_answers.c.departure_id).join(
        survey_progress, survey_progress.c.departure_id == survey_answers.c.departure_id
    )


def _departure_rows(db: Database, span: Period) -> Select[Any]:
    """Departures per unit, month and type in `span`: how many, accepted, with counted answers."""
    month = _month(db).label("month")
    # Per departure in the period, through the answers' primary key (departure_id first).
    answered = (
        select(survey_answers.c.departure_id)
        .join(survey_progress, survey_progress.c.departure_id == survey_answers.c.departure_id)
        .where(survey_answers.c.departure_id == departures.c.id, _counted_answers())
        .exists()
    )
    accepted = and_(
        departures.c.accepted_at.is_not(None),
        departures.c.status != DepartureStatus.DECLINED.value,
    )
    return select(
        departures.c.unit,
        month,
        departures.c.departure_type,
        func.count().label("departures"),
        func.coalesce(func.sum(case((accepted, 1), else_=0)), 0).label("accepted"),
        func.coalesce(func.sum(case((answered, 1), else_=0)), 0).label("answered"),
    ).where(_in_period(span)).group_by(
        departures.c.unit, month, departures.c.departure_type
    )  # fmt: skip


def _first_month_of_period(periods: Sequence[Period]) -> Label[Any]:
    """The first month of the period an answer's departure falls in ("" if none), as `month`.

    One scan for all periods: each answer is counted under its period's first month.
    """
    day = departures.c.last_working_day
    return case(
        *[
            (and_(day >= p.first.first_day, day <= p.last.last_day), literal(str(p.first)))
            for p in periods
        ],
        else_=literal(""),
    ).label("month")


def _per_section(
    periods: Sequence[Period],
    first: Label[Any],
    questions: Collection[str],
    keys: Sequence[ColumnElement[Any]],
    counts: Sequence[ColumnElement[Any]],
) -> Select[Any]:
    """`counts` of counted answers to `questions` per unit, period, section and `keys`."""
    by = (departures.c.unit, first, survey_answers.c.section_id, *keys)
    return (
        select(*by, *counts)
        .select_from(_answers_joined())
        .where(
            or_(*[_in_period(p) for p in periods]),
            _counted_answers(),
            survey_answers.c.question_id.in_(sorted(questions)),
        )
        .group_by(*by)
    )


def _answer_rows(
    periods: Sequence[Period], first: Label[Any], reportable: Collection[str]
) -> Select[Any]:
    """Counted answers to `reportable` questions per unit, period, question and value."""
    keys = (survey_answers.c.question_id, survey_answers.c.value)
    return _per_section(periods, first, reportable, keys, [func.count().label("count")])


def _section_rows(
    periods: Sequence[Period], first: Label[Any], ratings: Collection[str]
) -> Select[Any]:
    """Leavers who rated anything in a section, per unit, period and section."""
    respondents = func.count(distinct(survey_answers.c.departure_id)).label("respondents")
    return _per_section(periods, first, ratings, (), [respondents])


def _follow_up_rows(periods: Sequence[Period], first: Label[Any]) -> Select[Any]:
    """Follow-ups per unit, period and area (issue 14): of how many departures, how many, and
    how many done; each departure counted in its own unit and period, as every other figure."""
    by = (departures.c.unit, first, follow_ups.c.area)
    done = func.coalesce(func.sum(case((follow_ups.c.state == "done", 1), else_=0)), 0)
    return (
        select(
            *by,
            func.count(distinct(follow_ups.c.departure_id)).label("departures"),
            func.count().label("agreed"),
            done.label("done"),
        )
        .select_from(follow_ups.join(departures, departures.c.id == follow_ups.c.departure_id))
        .where(or_(*[_in_period(p) for p in periods]))
        .group_by(*by)
    )


def _cells(cell: type[_Cell], rows: Iterable[Row[Any]]) -> tuple[_Cell, ...]:
    """One cell a row: every query labels its columns as the cell's fields."""
    return tuple(cell(**row._mapping) for row in rows)


class SqlInsightsSource:
    """The counts journey.insights builds a report from, on SQLite or PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def counts(
        self, periods: Sequence[Period], reportable: Collection[str], ratings: Collection[str]
    ) -> Counts:
        """Counts for every unit (the suppression needs all): departures per month over all of
        `periods`; answers per period, each under the period's first month (a report never
        splits answers finer than its period, and fewer rows make a faster card).

        `reportable`: the question ids HR marked reportable; `ratings`: those that are ratings.
        """
        span = Period(min(p.first for p in periods), max(p.last for p in periods))
        label = _first_month_of_period(periods)
        async with self._db.sessions() as session:
            found_departures = (await session.execute(_departure_rows(self._db, span))).all()
            found_answers = (
                (await session.execute(_answer_rows(periods, label, reportable))).all()
                if reportable
                else []
            )
            found_sections = (
                (await session.execute(_section_rows(periods, label, ratings))).all()
                if ratings
                else []
            )
            found_follow_ups = (await session.execute(_follow_up_rows(periods, label))).all()
        values = [r for r in found_answers if isinstance(r.value, str | list)]
        return Counts(
            departures=_cells(DepartureCell, found_departures),
            answers=_cells(AnswerCell, values),
            sections=_cells(SectionCell, found_sections),
            follow_ups=_cells(FollowUpCell, found_follow_ups),
        )

    async def comment_writers(
        self, period: Period, questions: Collection[str]
    ) -> list[CommentCell]:
        """How many leavers per unit wrote a counted comment to each comment question."""
        if not questions:
            return []
        statement = (
            select(
                departures.c.unit,
                survey_answers.c.question_id,
                func.count().label("writers"),
            )
            .select_from(_answers_joined())
            .where(
                _in_period(period),
                _counted_answers(),
                survey_answers.c.question_id.in_(sorted(questions)),
            )
            .group_by(departures.c.unit, survey_answers.c.question_id)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return list(_cells(CommentCell, rows))

    async def comments(
        self, period: Period, unit: str | None, question_id: str, limit: int
    ) -> list[str]:
        """Up to `limit` counted comments to one question: the text only, in no telling order.

        Call only for a question journey.insights.comments_allowed allowed for this scope.
        """
        conditions = [
            _in_period(period),
            _counted_answers(),
            survey_answers.c.question_id == question_id,
        ]
        if unit is not None:
            conditions.append(departures.c.unit == unit)
        statement = (
            select(survey_answers.c.value)
            .select_from(_answers_joined())
            .where(*conditions)
            # Departure ids are random: this order tells neither who nor when.
            .order_by(survey_answers.c.departure_id)
            .limit(limit)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return [r.value.strip() for r in rows if isinstance(r.value, str) and r.value.strip()]

    async def managed_units(self, upn: str | None) -> frozenset[str]:
        """The units in which `upn` is the manager of at least one departure."""
        person = (upn or "").strip().lower()
        # A turn's start read a minute ago at most that they manage none (storage/senders.py).
        if not person or senders_of(self._db).manages_none(person):
            return frozenset()
        statement = select(departures.c.unit).where(departures.c.manager_upn == person).distinct()
        async with self._db.sessions() as session:
            rows: Sequence[Any] = (await session.execute(statement)).all()
        return frozenset(row[0] for row in rows)
