"""Who sees the patterns, over which period, and how often a unit's figures are counted: the
domain's rules (journey.patterns) without a database."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime

import pytest

from journey.access import Asker
from journey.clock import FixedClock
from journey.departure import DepartureStatus
from journey.insights_counts import Counts, DepartureCell, InsightsRules
from journey.patterns import UnitPatterns, patterns_period, shows_patterns
from journey.periods import Month, Period
from tests.cards.catalogue import booked

RULES = InsightsRules(settle_days=15)
TODAY = date(2026, 11, 23)
H1_2026 = Period(Month(2026, 1), Month(2026, 6))
H2_2025 = Period(Month(2025, 7), Month(2025, 12))

INTERVIEWER = Asker(user_id="29:peter", upn="peter@contoso.example")
LEAVER = Asker(user_id="29:sofie", upn="sofie@contoso.example")
MANAGER = Asker(user_id="29:mads", upn="mads@contoso.example")  # not chosen
HR = Asker(user_id="29:hanne", upn="hanne@contoso.example", is_hr=True)
STRANGER = Asker(user_id="29:x", upn="someone@contoso.example")


@pytest.mark.parametrize(
    ("asker", "sees"),
    [(INTERVIEWER, True), (LEAVER, False), (MANAGER, False), (HR, False), (STRANGER, False)],
)
def test_only_the_interviewer_sees_the_patterns(asker: Asker, sees: bool) -> None:
    assert shows_patterns(booked(), asker, enabled=True) is sees


def test_an_hr_member_holding_the_conversation_sees_them() -> None:
    hr_interviewer = Asker(user_id="29:peter", upn="peter@contoso.example", is_hr=True)
    assert shows_patterns(booked(), hr_interviewer, enabled=True)


def test_not_a_leaver_who_would_hold_their_own_conversation() -> None:
    own = booked(interviewer_upn="sofie@contoso.example")
    assert not shows_patterns(own, LEAVER, enabled=True)


@pytest.mark.parametrize("status", [s for s in DepartureStatus if s is not DepartureStatus.BOOKED])
def test_only_while_the_conversation_is_booked(status: DepartureStatus) -> None:
    # Held, closed, cancelled, or not booked yet: no patterns.
    departure = booked().model_copy(update={"status": status})
    assert not shows_patterns(departure, INTERVIEWER, enabled=True)


def test_not_where_hr_turned_them_off_nor_without_a_unit() -> None:
    assert not shows_patterns(booked(), INTERVIEWER, enabled=False)
    assert not shows_patterns(booked(unit=""), INTERVIEWER, enabled=True)


def test_the_newest_settled_period_before_the_leavers_own_month() -> None:
    # 23 November 2026: January-June 2026 ended more than 15 days ago.
    assert patterns_period(RULES, TODAY, date(2026, 12, 18)) == H1_2026
    # A conversation booked long after a last day in June: that half-year holds the leaver's
    # own departure (and perhaps their answers), so the one before it is shown.
    assert patterns_period(RULES, TODAY, date(2026, 6, 30)) == H2_2025
    assert patterns_period(RULES, TODAY, date(2026, 1, 1)) == H2_2025
    assert patterns_period(RULES, TODAY, date(2026, 7, 1)) == H1_2026
    # Older than every period offered: none.
    assert patterns_period(RULES, TODAY, date(2023, 1, 1)) is None


class CountingSource:
    """An insights source that counts how often it is asked (six leavers of social care)."""

    def __init__(self) -> None:
        self.asked = 0

    async def counts(
        self, periods: Sequence[Period], reportable: Collection[str], ratings: Collection[str]
    ) -> Counts:
        self.asked += 1
        cell = DepartureCell(
            unit="social-care", month="2026-03", departures=6, accepted=6, answered=0
        )
        return Counts(departures=(cell,))

    async def comment_writers(self, period: Period, questions: Collection[str]) -> list:
        raise AssertionError("the patterns read no comment")

    async def comments(self, period: Period, unit: str | None, question_id: str, limit: int):
        raise AssertionError("the patterns read no comment")

    async def managed_units(self, upn: str | None) -> frozenset[str]:
        raise AssertionError("not asked")


async def test_a_unit_is_counted_once_per_period_and_revision() -> None:
    source = CountingSource()
    clock = FixedClock(datetime(2026, 11, 23, 8, tzinfo=UTC))
    cache = UnitPatterns(source, clock, size=2)

    async def of(unit: str = "social-care", period: Period = H1_2026, revision: str = "r1"):
        return await cache.of(unit, period, {}, RULES, revision=revision)

    first = await of()
    assert (first.departures, first.shown) == (6, False)  # six left, nobody answered
    assert await of() == first and source.asked == 1
    await of(revision="r2")  # HR's YAML changed: counted again
    assert source.asked == 2
    await of(period=H2_2025)
    assert source.asked == 3
    await of()  # r1 was the oldest of three kept in two places: gone
    assert source.asked == 4
    clock.advance(hours=1)  # erasure may have removed answers since: counted again
    await of()
    assert source.asked == 5
    clock.advance(minutes=59)
    await of()
    assert source.asked == 5
