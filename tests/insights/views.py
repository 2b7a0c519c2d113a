"""Hand-built leavers, counted as storage counts them, and every view of insights a person can
reach: the card's scopes and periods (dialogs.insights, also what the `insights` command
answers) and every period HR's export accepts (cli.insights), each with the period before."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from cards.locale import Speaker
from config.loaded import LoadedConfig
from dialogs.insights import chosen_period, period_choices
from journey.insights import Row, report_rows
from journey.insights_counts import (
    AnswerCell,
    CommentCell,
    Counts,
    DepartureCell,
    FollowUpCell,
    InsightsRules,
    QuestionInfo,
    SectionCell,
)
from journey.insights_service import gather, refusal
from journey.periods import Month, Period
from tests.insights.adversary import Shown

QUESTIONS = {
    "reasons": QuestionInfo(id="reasons", kind="multiple_choice"),
    "development": QuestionInfo(id="development", kind="rating"),
    "manager": QuestionInfo(id="manager", kind="rating"),
    "recommend": QuestionInfo(id="recommend", kind="yes_no"),
}
SECTION_OF = {
    "reasons": "motivation",
    "development": "motivation",
    "manager": "relations",
    "recommend": "work_environment",
}
REASONS = ("pay", "manager", "workload", "career", "commute", "family")
TYPES = ("resignation", "retirement", "fixed_term_end", "dismissal")
AREAS = ("motivation", "relations", "work_environment", "job")  # where follow-ups are agreed


@dataclass(frozen=True)
class Leaver:
    """One departure and, if they sent the survey, their counted answers."""

    id: str
    unit: str
    month: Month
    kind: str = "resignation"
    accepted: bool = False
    answers: dict[str, str | list[str]] = field(default_factory=dict)
    # Issue 14: per area, the follow-ups agreed after the conversation and how many are done.
    follow_ups: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return bool(self.answers)


def leavers(seed: int = 14) -> list[Leaver]:
    """Two busy units, a quiet one, a tiny one; lone months, a lone dismissal, rare reasons.

    From 2023-07 to 2026-11: a big unit with 2-4 leavers a month but single months of one, a
    medium one with about one a month, a small one with a few a year, and a tiny one with one.
    """
    pick = random.Random(seed)
    people: list[Leaver] = []
    sizes = {"care": (2, 4), "roads": (0, 2), "library": (0, 1)}
    month = Month(2023, 7)
    while month <= Month(2026, 11):
        for unit, (low, high) in sizes.items():
            count = pick.randint(low, high) if month.month != 6 else 1  # a lone June
            for _ in range(count if unit != "library" or pick.random() < 0.4 else 0):
                people.append(_leaver(pick, f"L{len(people):03d}", unit, month))
        month = month.plus(1)
    people.append(_leaver(pick, "T000", "museum", Month(2025, 3)))  # the only one in its unit
    return people


def _leaver(pick: random.Random, leaver_id: str, unit: str, month: Month) -> Leaver:
    kind = pick.choices(TYPES, weights=(30, 6, 4, 3))[0]
    answers: dict[str, str | list[str]] = {}
    if pick.random() < 0.75:
        chosen = pick.sample(REASONS, k=pick.randint(1, 2))
        answers = {
            "reasons": sorted(chosen),
            "development": str(pick.randint(1, 5)),
            "recommend": pick.choice(["yes", "yes", "no"]),
        }
        if pick.random() < 0.8:
            answers["manager"] = str(pick.randint(1, 5))
    accepted = pick.random() < 0.7
    # Follow-ups from a generator of their own, so the leavers before issue 14 stay the same.
    own = random.Random(leaver_id)
    follow_ups: dict[str, tuple[int, int]] = {}
    for area in AREAS if accepted else ():
        if own.random() < 0.5:
            agreed = own.randint(1, 3)
            follow_ups[area] = (agreed, own.randint(0, agreed))
    return Leaver(leaver_id, unit, month, kind, accepted, answers, follow_ups)


class LeaverSource:
    """journey.insights_service.InsightsSource over hand-built leavers, counting as
    storage.insights does: departures per unit, month and type; answers per unit and period
    (under its first month); raters per unit, period and section."""

    def __init__(self, people: Sequence[Leaver]) -> None:
        self._people = people

    async def counts(
        self, periods: Sequence[Period], reportable: Collection[str], ratings: Collection[str]
    ) -> Counts:
        span = Period(min(p.first for p in periods), max(p.last for p in periods))
        inside = [p for p in self._people if p.month in span]
        departures = Counter((p.unit, str(p.month), p.kind) for p in inside)
        accepted = Counter((p.unit, str(p.month), p.kind) for p in inside if p.accepted)
        answered = Counter((p.unit, str(p.month), p.kind) for p in inside if p.answered)
        answers: Counter[tuple[str, str, str, str, tuple[str, ...] | str]] = Counter()
        raters: Counter[tuple[str, str, str]] = Counter()
        follow_ups: dict[tuple[str, str, str], list[int]] = {}
        for person in self._people:
            period = next((p for p in periods if person.month in p), None)
            if period is None:
                continue
            first = str(period.first)
            for area, (agreed, done) in person.follow_ups.items():
                cell = follow_ups.setdefault((person.unit, first, area), [0, 0, 0])
                cell[0], cell[1], cell[2] = cell[0] + 1, cell[1] + agreed, cell[2] + done
            for question, value in person.answers.items():
                if question in reportable:
                    key = tuple(value) if isinstance(value, list) else value
                    answers[(person.unit, first, SECTION_OF[question], question, key)] += 1
            for section in {SECTION_OF[q] for q in person.answers if q in ratings}:
                raters[(person.unit, first, section)] += 1
        return Counts(
            departures=tuple(
                DepartureCell(
                    unit=unit, month=month, departure_type=kind, departures=n,
                    accepted=accepted[(unit, month, kind)],
                    answered=answered[(unit, month, kind)],
                )
                for (unit, month, kind), n in departures.items()
            ),
            answers=tuple(
                AnswerCell(
                    unit=unit, month=month, section_id=section, question_id=question,
                    value=list(value) if isinstance(value, tuple) else value, count=n,
                )
                for (unit, month, section, question, value), n in answers.items()
            ),
            sections=tuple(
                SectionCell(unit=unit, month=month, section_id=section, respondents=n)
                for (unit, month, section), n in raters.items()
            ),
            follow_ups=tuple(
                FollowUpCell(
                    unit=unit, month=month, area=area, departures=n, agreed=agreed, done=done
                )
                for (unit, month, area), (n, agreed, done) in follow_ups.items()
            ),
        )  # fmt: skip

    async def comment_writers(
        self, period: Period, questions: Collection[str]
    ) -> list[CommentCell]:
        return []

    async def comments(
        self, period: Period, unit: str | None, question_id: str, limit: int
    ) -> list[str]:
        return []

    async def managed_units(self, upn: str | None) -> frozenset[str]:
        return frozenset()


def reachable_periods(
    config: LoadedConfig, rules: InsightsRules, today: date, horizon: Period
) -> list[Period]:
    """Every period a person can ask for: the card's choices and the export's accepted ones."""
    say = Speaker(config, "en")
    periods = {chosen_period(c.value, rules, today) for c in period_choices(say, rules, today)}
    months = horizon.months()
    for i, first in enumerate(months):
        for last in months[i:]:
            if refusal(Period(first, last), rules, today) is None:
                periods.add(Period(first, last))
    return sorted(periods, key=lambda p: (p.first, p.last))


async def shown_figures(
    people: Sequence[Leaver],
    rules: InsightsRules,
    periods: Sequence[Period],
    scopes: Sequence[str | None],
) -> list[Shown]:
    """Every figure shown in every view, as what it sums over which leavers."""
    source = LeaverSource(people)
    figures: list[Shown] = []
    for period in periods:
        for unit in scopes:
            insights = await gather(source, period, unit, QUESTIONS, rules)
            report = insights.report
            view = f"{unit or 'organisation'} {period.first}..{period.last}"
            for row in report_rows(report):
                for when, figure, shown_period in (
                    ("", row.current, report.current.period),
                    (" (before)", row.previous, report.previous.period),
                ):
                    if figure.shown:
                        members = _members(people, row, unit, shown_period, report.current.period)
                        label = f"{view}{when}: {row.section} {row.item}"
                        figures += [Shown(m, g, label) for m, g in members]
    return figures


def _members(
    people: Sequence[Leaver], row: Row, unit: str | None, period: Period, current: Period
) -> Iterator[tuple[tuple[str, ...], frozenset[str]]]:
    """What a shown row sums and over whom (a row of the period before: `period` is that)."""
    scope = [p for p in people if (unit is None or p.unit == unit) and p.month in period]

    def ids(chosen: Iterator[Leaver] | list[Leaver]) -> frozenset[str]:
        return frozenset(p.id for p in chosen)

    section, item = row.section, row.item
    if section == "departures":
        yield ("departures",), ids(scope)
    elif section in ("accepted", "answered"):
        yield (section,), ids(scope)
    elif section == "per_month":
        month = Month.parse(item).plus(period.first.minus(current.first))
        yield ("departures",), ids(p for p in scope if p.month == month)
    elif section == "reasons" and item == "respondents":
        yield ("respondents",), ids(p for p in scope if "reasons" in p.answers)
    elif section == "reasons":
        yield ("reason", item), ids(p for p in scope if item in p.answers.get("reasons", []))
    elif section == "areas":
        rated = [q for q, s in SECTION_OF.items() if s == item and q != "reasons"]
        yield ("area", item), ids(p for p in scope if any(q in p.answers for q in rated))
    elif section == "recommend":
        yield ("recommend",), ids(p for p in scope if "recommend" in p.answers)
    elif section in ("by_type", "accepted_by_type"):
        yield (section, item), ids(p for p in scope if p.kind == item)
    elif section in ("follow_ups_agreed", "follow_ups_done"):
        yield (section, item), ids(p for p in scope if item in p.follow_ups)
    else:
        raise AssertionError(f"a row the adversary does not know: {section}")


def type_complements(figures: Sequence[Shown], people: Sequence[Leaver]) -> list[Shown]:
    """Types add up to the departures: a view's one hidden type is its total minus the rest."""
    shown_types: dict[str, set[str]] = {}
    totals: dict[str, frozenset[str]] = {}
    for figure in figures:
        view = figure.view.partition(": ")[0]
        if figure.view.endswith(": departures total"):
            totals[view] = figure.members
        if figure.measure[0] == "by_type":
            shown_types.setdefault(view, set()).add(figure.measure[1])
    derived = []
    by_id = {p.id: p for p in people}
    for view, kinds in shown_types.items():
        present = {by_id[i].kind for i in totals.get(view, frozenset())}
        missing = present - kinds
        if len(missing) == 1:
            kind = missing.pop()
            members = frozenset(i for i in totals[view] if by_id[i].kind == kind)
            derived.append(Shown(("by_type", kind), members, view + " (total minus types)"))
    return derived
