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
from journey.periods import Month, Period

RULES = InsightsRules(comment_questions=("stay",))
QUESTIONS = {
    "reasons": QuestionInfo(id="reasons", kind="multiple_choice"),
    "development": QuestionInfo(id="development", kind="rating"),
    "recommend": QuestionInfo(id="recommend", kind="yes_no"),
}
PERIOD = Period(Month(2026, 1), Month(2026, 12))


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


def test_month_level_hides_small_months_with_cover() -> None:
    counts = Counts(
        departures=(
            _departures("a", 2, "2026-03"),
            _departures("a", 9, "2026-04"),
            _departures("a", 20, "2026-05"),
        )
    )
    report = build_report(counts, PERIOD, None, QUESTIONS, RULES)
    months = dict(report.current.per_month)
    assert months[Month(2026, 3)].hidden and months[Month(2026, 4)].hidden
    assert months[Month(2026, 5)].value == 20
    assert months[Month(2026, 7)].value == 0  # an empty month reveals no one
    assert report.current.departures.value == 31


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
