"""What HR learns across departures, without learning about any one leaver.

Pure rules, no storage and no framework: the figures for the organisation or one unit over one
whole calendar tile (journey.periods.Tiling: quarter, half-year or year, HR's choice), compared
with the tile before it, from the counts of journey.insights_counts; journey.insights_service
asks storage for them.

Small-group protection (seed 004: watch anonymity when results are passed on), made so that
no two views a person can ask for, nor all of them together, tell one leaver's answer:

- Periods are whole tiles of one length that are over (and settled): two periods are the same
  or share no leaver, so no difference of two periods narrows a figure down.
- A scope (the organisation or a unit) with fewer departures than the minimum (`min_answers`,
  default 5) shows nothing; a hidden unit is hidden with the next-smallest ones until the
  hidden units hold the minimum together (`suppressed`), so the organisation minus the shown
  units does not give it away.
- A breakdown (departures per month, per type) is shown whole or not at all: every band
  empty or at least the minimum. A figure over a group (each reason's count, each area's
  ratings, the recommend share, the reasons' respondents) needs the minimum behind it. Both
  hold for every shown unit and for the rest of the organisation, what the organisation minus
  the shown units leaves (`shown_scopes`).
- Comments need `min_comments` (default 10) writers, with the same cover across units, and
  come without a name, a unit below the minimum or any date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from journey.insights_counts import (
    AnswerCell,
    CommentCell,
    Counts,
    DepartureCell,
    InsightsRules,
    QuestionInfo,
    SectionCell,
)
from journey.insights_figures import HIDDEN, NONE, Figure, ReportScope, by_type, suppressed
from journey.insights_follow_ups import follow_up_figures, shown_areas
from journey.periods import Month, Period

ORGANISATION = None  # the scope of a report over every unit


@dataclass(frozen=True)
class PeriodFigures:
    """The figures of one scope over one period."""

    period: Period
    hidden: bool  # the whole scope: too few departures (or derivable); nothing else is shown
    departures: Figure
    per_month: tuple[tuple[Month, Figure], ...]
    accepted_share: Figure
    answered_share: Figure
    reasons: Mapping[str, Figure]  # option id -> share of respondents (value) and count (n)
    reasons_respondents: Figure
    areas: Mapping[str, Figure]  # section id -> mean rating on a 1..5 scale
    recommend_share: Figure
    # Issue 11: per type of departure, departures and the share who accepted a conversation.
    by_type: tuple[tuple[str, Figure, Figure], ...] = ()
    by_type_hidden: bool = False  # the split is hidden whole (no type is named)
    # Issue 14: per area, follow-ups agreed and done (journey.insights_follow_ups).
    follow_ups: Mapping[str, tuple[Figure, Figure]] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """The organisation's or one unit's figures, now and in the period before."""

    unit: str | None
    current: PeriodFigures
    previous: PeriodFigures
    # The comment questions whose comments may be shown (current period).
    comment_questions: tuple[str, ...] = ()
    top_reasons: tuple[str, ...] = ()  # option ids, most named first

    @property
    def hidden(self) -> bool:
        return self.current.hidden


def _by_unit(values: Iterable[tuple[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for unit, count in values:
        totals[unit] += count
    return dict(totals)


def _scoped(per_unit: Mapping[str, int], unit: str | None, minimum: int) -> tuple[int, bool]:
    """The group size for the scope and whether it must be hidden."""
    if unit is None:
        total = sum(per_unit.values())
        return total, 0 < total < minimum
    return per_unit.get(unit, 0), unit in suppressed(per_unit, minimum)


def _normalised(value: str | list[str], points: int) -> float | None:
    """A rating on a 1..5 scale, whatever scale its question has."""
    if not isinstance(value, str) or not value.isdigit():
        return None
    point = int(value)
    if not 1 <= point <= points:
        return None
    return 1 + (point - 1) * 4 / (points - 1)


def period_figures(
    counts: Counts,
    period: Period,
    unit: str | None,
    questions: Mapping[str, QuestionInfo],
    rules: InsightsRules,
) -> PeriodFigures:
    """The figures of `unit` (None: the organisation) over `period`, every rule applied."""
    minimum = rules.min_answers
    cells = [c for c in counts.departures if Month.parse(c.month) in period]
    per_unit = _by_unit((c.unit, c.departures) for c in cells)
    size, hidden = _scoped(per_unit, unit, minimum)
    if hidden or size == 0:
        return PeriodFigures(
            period, hidden, HIDDEN if hidden else Figure(0, 0), (), HIDDEN, HIDDEN, {},
            HIDDEN, {}, HIDDEN,
        )  # fmt: skip
    shown_units = frozenset(per_unit) - suppressed(per_unit, minimum)
    scope = ReportScope(unit, shown_units, minimum)
    mine = [c for c in cells if unit is None or c.unit == unit]
    answers = [a for a in counts.answers if Month.parse(a.month) in period]
    sections = [s for s in counts.sections if Month.parse(s.month) in period]
    reasons_respondents, reasons = _reasons(answers, scope, rules)
    types = by_type(cells, unit, shown_units, minimum)
    return PeriodFigures(
        period=period,
        hidden=False,
        departures=Figure(size, size),
        per_month=_per_month(cells, period, scope),
        accepted_share=Figure(sum(c.accepted for c in mine) / size, size),
        answered_share=Figure(sum(c.answered for c in mine) / size, size),
        reasons=reasons,
        reasons_respondents=reasons_respondents,
        areas=_areas(sections, answers, scope, questions),
        recommend_share=_recommend(answers, scope, rules),
        by_type=types or (),
        by_type_hidden=types is None,
        follow_ups=follow_up_figures(
            [f for f in counts.follow_ups if Month.parse(f.month) in period], scope
        ),
    )


def _per_month(
    cells: Sequence[DepartureCell], period: Period, scope: ReportScope
) -> tuple[tuple[Month, Figure], ...]:
    """Departures per month of the period: every month shown, or every month hidden."""
    per_unit: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in cells:
        per_unit[c.unit][c.month] += c.departures
    shown = scope.shows(per_unit)
    monthly = {m: 0 for m in period.months()}
    for c in cells:
        if scope.holds(c.unit):
            monthly[Month.parse(c.month)] += c.departures
    return tuple((m, Figure(count, count) if shown else HIDDEN) for m, count in monthly.items())


def _reasons(
    answers: Sequence[AnswerCell], scope: ReportScope, rules: InsightsRules
) -> tuple[Figure, dict[str, Figure]]:
    """How many named reasons, and each reason's share of the respondents.

    The respondents and each reason's choosers are groups of their own (a leaver may name
    several reasons, so no reason is the others' difference): each needs the minimum.
    """
    # Every respondent answered the multiple-choice question once (one row per set).
    reason_rows = [a for a in answers if a.question_id == rules.reasons_question]
    respondents_per_unit = _by_unit((a.unit, a.count) for a in reason_rows)
    respondents = sum(n for u, n in respondents_per_unit.items() if scope.holds(u))
    if not respondents or not scope.shows_group(respondents_per_unit):
        return (HIDDEN if respondents else NONE), {}
    chosen: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in reason_rows:
        for option in a.value if isinstance(a.value, list) else [a.value]:
            chosen[option][a.unit] += a.count
    reasons: dict[str, Figure] = {}
    for option, per_unit in chosen.items():
        n = sum(count for u, count in per_unit.items() if scope.holds(u))
        if n:
            shown = scope.shows_group(per_unit)
            reasons[option] = Figure(n / respondents, n) if shown else HIDDEN
    return Figure(respondents, respondents), reasons


def _areas(
    sections: Sequence[SectionCell],
    answers: Sequence[AnswerCell],
    scope: ReportScope,
    questions: Mapping[str, QuestionInfo],
) -> dict[str, Figure]:
    """Per section: the mean of every counted rating in it, on a 1..5 scale."""
    areas: dict[str, Figure] = {}
    for section_id in sorted({s.section_id for s in sections}):
        in_section = _by_unit(
            (s.unit, s.respondents) for s in sections if s.section_id == section_id
        )
        n = sum(count for u, count in in_section.items() if scope.holds(u))
        if not n or not scope.shows_group(in_section):
            areas[section_id] = HIDDEN if n else NONE
            continue
        total = weight = 0.0
        for a in answers:
            question = questions.get(a.question_id)
            if a.section_id != section_id or question is None or question.kind != "rating":
                continue
            score = _normalised(a.value, question.points) if scope.holds(a.unit) else None
            if score is not None:
                total += score * a.count
                weight += a.count
        areas[section_id] = Figure(total / weight, n) if weight else NONE
    return areas


def _recommend(answers: Sequence[AnswerCell], scope: ReportScope, rules: InsightsRules) -> Figure:
    """Would recommend the job: the share of yes among yes and no."""
    recommend_rows = [a for a in answers if a.question_id == rules.recommend_question]
    said = _by_unit((a.unit, a.count) for a in recommend_rows)
    n = sum(count for u, count in said.items() if scope.holds(u))
    if not n or not scope.shows_group(said):
        return HIDDEN if n else NONE
    yes = sum(a.count for a in recommend_rows if a.value == "yes" and scope.holds(a.unit))
    return Figure(yes / n, n)


def comments_allowed(
    writers: Sequence[CommentCell], unit: str | None, rules: InsightsRules
) -> tuple[str, ...]:
    """The comment questions whose comments may be shown for the scope (current period).

    Only where at least `min_comments` leavers wrote one, with the same cover against
    subtraction as every other figure.
    """
    allowed: list[str] = []
    for question_id in rules.comment_questions:
        per_unit = _by_unit((c.unit, c.writers) for c in writers if c.question_id == question_id)
        n, hidden = _scoped(per_unit, unit, rules.min_comments)
        if not hidden and n >= rules.min_comments:
            allowed.append(question_id)
    return tuple(allowed)


def build_report(
    counts: Counts,
    period: Period,
    unit: str | None,
    questions: Mapping[str, QuestionInfo],
    rules: InsightsRules,
    comment_writers: Sequence[CommentCell] = (),
) -> Report:
    """The report for `unit` (None: the organisation) over `period` and the period before."""
    current = period_figures(counts, period, unit, questions, rules)
    previous = period_figures(counts, period.previous(), unit, questions, rules)
    shown = [option for option, figure in current.reasons.items() if figure.shown]
    top = sorted(shown, key=lambda option: (-current.reasons[option].n, option))
    comments = () if current.hidden else comments_allowed(comment_writers, unit, rules)
    return Report(
        unit=unit,
        current=current,
        previous=previous,
        comment_questions=comments,
        top_reasons=tuple(top[: rules.top_reasons]),
    )


# ------------------------------------------------------------------ one list for card and file


class Kind(StrEnum):
    COUNT = "count"  # a number of departures
    SHARE = "share"  # 0..1
    MEAN = "mean"  # a rating on 1..5


@dataclass(frozen=True)
class Row:
    """One line of a report, now and in the period before: what the card and the export show."""

    # departures | accepted | answered | per_month | reasons | areas | recommend | by_type |
    # accepted_by_type | follow_ups_agreed | follow_ups_done (per area, issue 14)
    section: str
    item: str  # "total", a month YYYY-MM, an option id or a section id
    kind: Kind
    current: Figure
    previous: Figure


def _previous_of(figures: PeriodFigures, mapping: Mapping[str, Figure], key: str) -> Figure:
    if figures.hidden:
        return HIDDEN
    return mapping.get(key, NONE)


def report_rows(report: Report) -> list[Row]:
    """Every figure of the report in the order the card shows them (hidden ones included)."""
    now, before = report.current, report.previous
    rows = [
        Row("departures", "total", Kind.COUNT, now.departures, before.departures),
        Row("accepted", "total", Kind.SHARE, now.accepted_share, before.accepted_share),
        Row("answered", "total", Kind.SHARE, now.answered_share, before.answered_share),
    ]
    if now.hidden:
        return rows
    earlier = dict(before.per_month)
    for month, figure in now.per_month:
        previous = HIDDEN if before.hidden else earlier.get(month.plus(-now.period.length), NONE)
        rows.append(Row("per_month", str(month), Kind.COUNT, figure, previous))
    rows.append(
        Row("reasons", "respondents", Kind.COUNT, now.reasons_respondents,
            before.reasons_respondents)
    )  # fmt: skip
    for option in report.top_reasons:
        rows.append(
            Row("reasons", option, Kind.SHARE, now.reasons[option],
                _previous_of(before, before.reasons, option))
        )  # fmt: skip
    for section_id, figure in now.areas.items():
        rows.append(
            Row("areas", section_id, Kind.MEAN, figure,
                _previous_of(before, before.areas, section_id))
        )  # fmt: skip
    rows.append(Row("recommend", "yes", Kind.SHARE, now.recommend_share, before.recommend_share))
    rows += _type_rows(report)
    rows += _follow_up_rows(report)
    return rows


def _follow_up_rows(report: Report) -> list[Row]:
    """Per area whose figures are shown now: follow-ups agreed, then those done (issue 14)."""
    now, before = report.current, report.previous
    rows: list[Row] = []
    for index, section in enumerate(("follow_ups_agreed", "follow_ups_done")):
        for area in shown_areas(now.follow_ups):
            was = HIDDEN if before.hidden else before.follow_ups.get(area, (NONE, NONE))[index]
            rows.append(Row(section, area, Kind.COUNT, now.follow_ups[area][index], was))
    return rows


def hides_follow_ups(report: Report) -> bool:
    """Whether an area's follow-ups are left out of the report because they are hidden."""
    return any(not agreed.shown for agreed, _ in report.current.follow_ups.values())


def _type_rows(report: Report) -> list[Row]:
    """Per type of departure: how many, and the share who accepted (issue 11)."""
    now, before = report.current, report.previous
    earlier = {kind: (count, share) for kind, count, share in before.by_type}
    rows: list[Row] = []
    for kind, count, share in now.by_type:
        gone = (HIDDEN, HIDDEN) if before.hidden or before.by_type_hidden else (NONE, NONE)
        was_count, was_share = earlier.get(kind, gone)
        rows.append(Row("by_type", kind, Kind.COUNT, count, was_count))
        rows.append(Row("accepted_by_type", kind, Kind.SHARE, share, was_share))
    return rows
