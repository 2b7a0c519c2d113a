"""journey.insights on hand-built counts: periods, suppression, and what a report shows."""

from __future__ import annotations

from datetime import date

import pytest

from journey.insights import build_report, comments_allowed, suppressed
from journey.insights_counts import (
    AnswerCell,
    CommentCell,
    Counts,
    DepartureCell,
    InsightsRules,
    QuestionInfo,
    SectionCell,
)
from journey.insights_service import offered_periods, refusal
from journey.periods import Month, Period, Tiling

RULES = InsightsRules(comment_questions=("stay",))
QUESTIONS = {
    "reasons": QuestionInfo(id="reasons", kind="multiple_choice"),
    "development": QuestionInfo(id="development", kind="rating"),
    "recommend": QuestionInfo(id="recommend", kind="yes_no"),
}
PERIOD = Period(Month(2026, 1), Month(2026, 12))


def test_whole_tiles_that_are_over() -> None:
    half = Tiling.HALF_YEAR
    assert half.tile_of(Month(2026, 8)) == Period(Month(2026, 7), Month(2026, 12))
    assert Tiling.QUARTER.tile_of(Month(2026, 8)) == Period(Month(2026, 7), Month(2026, 9))
    assert Tiling.YEAR.holds(Period.year(2025))
    assert not half.holds(Period(Month(2026, 1), Month(2026, 5)))
    # 15 days to settle: on 15 July the first half-year is not yet offered, on 16 July it is.
    assert half.settled(date(2026, 7, 15), 15, 2) == [
        Period(Month(2025, 7), Month(2025, 12)), Period(Month(2025, 1), Month(2025, 6))
    ]  # fmt: skip
    assert half.settled(date(2026, 7, 16), 15, 1) == [Period(Month(2026, 1), Month(2026, 6))]
    rules = InsightsRules(period=Tiling.QUARTER, settle_days=15)
    offered = offered_periods(rules, date(2026, 12, 3))
    assert len(offered) == 12 and offered[0] == Period(Month(2026, 7), Month(2026, 9))
    assert refusal(offered[3], rules, date(2026, 12, 3)) is None
    overlap = refusal(Period(Month(2026, 1), Month(2026, 5)), rules, date(2026, 12, 3))
    assert overlap and "whole quarter" in overlap and "2026-01 to 2026-03" in overlap
    ongoing = refusal(Period(Month(2026, 10), Month(2026, 12)), rules, date(2026, 12, 3))
    assert ongoing and "not over yet" in ongoing


def test_months_and_periods() -> None:
    assert Month.parse("2026-02").last_day == date(2026, 2, 28)
    assert Month(2026, 1).plus(-1) == Month(2025, 12)
    last_12 = Period.last_months(12, date(2026, 11, 23))
    assert (str(last_12.first), str(last_12.last)) == ("2025-12", "2026-11")
    before = last_12.previous()
    assert (str(before.first), str(before.last), before.length) == ("2024-12", "2025-11", 12)
    for bad in ("2026-13", "26-01", "2026/01", "2026-1"):
        with pytest.raises(ValueError):
            Month.parse(bad)
    with pytest.raises(ValueError):
        Period(Month(2026, 5), Month(2026, 4))


def test_a_small_group_and_the_next_smallest_are_hidden() -> None:
    assert suppressed({"a": 3, "b": 20, "c": 30}, 5) == {"a", "b"}
    # Two small ones together are still too few: a third is hidden with them.
    assert suppressed({"a": 1, "b": 2, "c": 50, "d": 60}, 5) == {"a", "b", "c"}
    # Empty groups reveal nobody and cover nobody.
    assert suppressed({"a": 0, "b": 10}, 5) == set()
    assert suppressed({"a": 2, "b": 0, "c": 9}, 5) == {"a", "c"}
    assert suppressed({"a": 5, "b": 6}, 5) == set()


@pytest.mark.parametrize(
    "sizes",
    [
        {"a": 1, "b": 40},
        {"a": 4, "b": 5, "c": 100},
        {"a": 1, "b": 1, "c": 1, "d": 7, "e": 30},
        {"a": 2, "b": 3, "c": 12, "d": 12},
    ],
)
def test_no_hidden_group_can_be_worked_out_by_subtraction(sizes: dict[str, int]) -> None:
    """The total minus every shown group leaves the hidden ones together: never one, never few."""
    hidden = suppressed(sizes, 5)
    assert {k for k, n in sizes.items() if 0 < n < 5} <= hidden
    left = sum(sizes.values()) - sum(n for k, n in sizes.items() if k not in hidden)
    assert left >= 5
    assert len(hidden) >= 2


def _departures(unit: str, n: int, month: str = "2026-06") -> DepartureCell:
    return DepartureCell(unit=unit, month=month, departures=n, accepted=n, answered=n)


def _ratings(unit: str, n: int, score: str, month: str = "2026-06") -> list:
    return [
        AnswerCell(
            unit=unit,
            month=month,
            section_id="motivation",
            question_id="development",
            value=score,
            count=n,
        ),
        SectionCell(unit=unit, month=month, section_id="motivation", respondents=n),
        AnswerCell(
            unit=unit,
            month=month,
            section_id="work_environment",
            question_id="recommend",
            value="no" if score == "1" else "yes",
            count=n,
        ),
    ]


def _counts(*units: tuple[str, int, str]) -> Counts:
    cells = [c for unit, n, score in units for c in _ratings(unit, n, score)]
    return Counts(
        departures=tuple(_departures(unit, n) for unit, n, _ in units),
        answers=tuple(c for c in cells if isinstance(c, AnswerCell)),
        sections=tuple(c for c in cells if isinstance(c, SectionCell)),
    )


def test_one_small_unit_is_hidden_and_so_is_the_next_smallest() -> None:
    # The one leaver in "tiny" gave 1 everywhere; a naive unit report would show exactly that.
    counts = _counts(("tiny", 1, "1"), ("mid", 12, "4"), ("big", 40, "4"))
    tiny = build_report(counts, PERIOD, "tiny", QUESTIONS, RULES)
    mid = build_report(counts, PERIOD, "mid", QUESTIONS, RULES)
    big = build_report(counts, PERIOD, "big", QUESTIONS, RULES)
    org = build_report(counts, PERIOD, None, QUESTIONS, RULES)
    assert tiny.hidden and tiny.current.departures.value is None
    assert mid.hidden, "the next-smallest unit covers the small one"
    assert not big.hidden and big.current.departures.value == 40
    assert org.current.departures.value == 53
    # What subtraction leaves is tiny and mid together: 13 people, and their mean is not 1.
    org_mean = org.current.areas["motivation"].value
    big_mean = big.current.areas["motivation"].value
    assert org_mean is not None and big_mean is not None
    rest = (org_mean * 53 - big_mean * 40) / 13
    assert rest > 3.5


def test_departures_per_month_are_shown_whole_or_not_at_all() -> None:
    small = Counts(
        departures=(
            _departures("a", 2, "2026-03"),
            _departures("a", 9, "2026-04"),
            _departures("a", 20, "2026-05"),
        )
    )
    report = build_report(small, PERIOD, None, QUESTIONS, RULES)
    months = dict(report.current.per_month)
    assert all(figure.hidden for figure in months.values()), "2 in March: every month hidden"
    assert report.current.departures.value == 31
    big = Counts(departures=(*small.departures[1:], _departures("a", 5, "2026-03")))
    months = dict(build_report(big, PERIOD, None, QUESTIONS, RULES).current.per_month)
    assert (months[Month(2026, 3)].value, months[Month(2026, 5)].value) == (5, 20)
    assert months[Month(2026, 7)].value == 0  # an empty month reveals no one


def test_a_units_months_are_hidden_when_the_organisation_minus_it_is_small() -> None:
    counts = Counts(
        departures=(
            _departures("a", 6, "2026-03"),
            _departures("a", 6, "2026-04"),
            _departures("b", 1, "2026-03"),
            _departures("b", 8, "2026-04"),
        )
    )
    # b's one March leaver: b's split is hidden, and a's too, or the organisation's March (7)
    # minus a's (6) would show them.
    a = dict(build_report(counts, PERIOD, "a", QUESTIONS, RULES).current.per_month)
    org = dict(build_report(counts, PERIOD, None, QUESTIONS, RULES).current.per_month)
    assert a[Month(2026, 3)].hidden
    assert (org[Month(2026, 3)].value, org[Month(2026, 4)].value) == (7, 14)


def test_a_reason_of_one_is_never_shown_nor_left_to_subtraction() -> None:
    def named(unit: str, n: int, option: str) -> AnswerCell:
        return AnswerCell(
            unit=unit, month="2026-06", section_id="motivation", question_id="reasons",
            value=[option], count=n,
        )  # fmt: skip

    answers = (named("a", 20, "pay"), named("a", 6, "career"), named("b", 7, "pay"))
    answers += (named("b", 1, "career"),)
    counts = Counts(departures=(_departures("a", 26), _departures("b", 8)), answers=answers)
    a = build_report(counts, PERIOD, "a", QUESTIONS, RULES)
    b = build_report(counts, PERIOD, "b", QUESTIONS, RULES)
    org = build_report(counts, PERIOD, None, QUESTIONS, RULES)
    assert b.current.reasons["career"].hidden and b.top_reasons == ("pay",)
    # The organisation's career (7) minus a's (6) would be b's one: a's career is hidden.
    assert a.current.reasons["career"].hidden and a.top_reasons == ("pay",)
    assert org.current.reasons["career"].n == 7 and org.current.reasons["pay"].n == 27
    assert a.current.reasons["pay"].n == 20 and b.current.reasons["pay"].n == 7


def test_answers_below_the_minimum_are_hidden_even_when_departures_are_many() -> None:
    counts = Counts(
        departures=(_departures("a", 30),),
        answers=tuple(c for c in _ratings("a", 4, "5") if isinstance(c, AnswerCell)),
        sections=tuple(c for c in _ratings("a", 4, "5") if isinstance(c, SectionCell)),
    )
    report = build_report(counts, PERIOD, None, QUESTIONS, RULES)
    assert report.current.departures.value == 30
    assert report.current.areas["motivation"].hidden
    assert report.current.recommend_share.hidden


def test_comments_need_ten_writers_and_cover_for_small_units() -> None:
    nine = [CommentCell(unit="a", question_id="stay", writers=9)]
    assert comments_allowed(nine, None, RULES) == ()
    ten = [CommentCell(unit="a", question_id="stay", writers=10)]
    assert comments_allowed(ten, None, RULES) == ("stay",)
    units = [
        CommentCell(unit="a", question_id="stay", writers=3),
        CommentCell(unit="b", question_id="stay", writers=12),
        CommentCell(unit="c", question_id="stay", writers=30),
    ]
    assert comments_allowed(units, "a", RULES) == ()
    assert comments_allowed(units, "b", RULES) == (), "b covers a"
    assert comments_allowed(units, "c", RULES) == ("stay",)
    assert comments_allowed(units, None, RULES) == ("stay",)
