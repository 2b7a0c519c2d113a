"""The patterns never hold the current leaver's own answers, on SQLite and PostgreSQL: they
are of whole, settled periods that end before the leaver's own last working day's month."""

from __future__ import annotations

from datetime import date

from config.insights import insights_rules, reportable_questions
from config.loader import default_config_dir, load_config
from journey.clock import FixedClock
from journey.insights_service import gather
from journey.patterns import Patterns, UnitPatterns, patterns_period, select_patterns
from storage.database import Database
from storage.insights import SqlInsightsSource
from testkit.insights_seed import Leaver, rated, seed
from tests.helpers.journey import T0
from tests.patterns.helpers import UNIT, earlier_leavers

CONFIG = load_config(default_config_dir())
RULES = insights_rules(CONFIG)
QUESTIONS = reportable_questions(CONFIG)
SEPTEMBER_2025 = date(2025, 9, 15)


def sofie(last_day: date) -> Leaver:
    """The leaver whose conversation is booked, with her survey sent and counted."""
    return Leaver(
        UNIT,
        last_day,
        status="booked",
        answers=rated(1, recommend="no", reasons=["new_challenge"]),
        name="Sofie Andersen",
    )


async def patterns_for(db: Database, last_day: date) -> Patterns:
    period = patterns_period(RULES, T0.date(), last_day)
    assert period is not None
    cache = UnitPatterns(SqlInsightsSource(db), FixedClock(T0))
    return await cache.of(UNIT, period, QUESTIONS, RULES, revision=CONFIG.version)


async def test_a_last_day_inside_a_settled_period_shows_the_one_before(db: Database) -> None:
    # Her last day was in June; the conversation is booked for later (agreed with HR).
    earlier = [Leaver(UNIT, SEPTEMBER_2025, answers=rated(5, reasons=["career"])) for _ in range(8)]
    await seed(db, [*earlier_leavers(), *earlier, sofie(date(2026, 6, 20))])
    patterns = await patterns_for(db, date(2026, 6, 20))
    # July to December 2025: the eight before her, not her and not the twelve of her half-year.
    assert (str(patterns.period.first), str(patterns.period.last)) == ("2025-07", "2025-12")
    assert patterns.departures == 8
    assert [option for option, _ in patterns.reasons] == ["career"]
    assert patterns.recommend.value == 1.0
    # Her own half-year would have counted her with the twelve.
    own_half_year = RULES.period.tile_of(patterns.period.last.plus(1))
    own_half = await gather(SqlInsightsSource(db), own_half_year, UNIT, QUESTIONS, RULES)
    counted = select_patterns(own_half.report)
    assert counted.departures == 13


async def test_a_last_day_ahead_is_in_no_period_shown(db: Database) -> None:
    await seed(db, [*earlier_leavers(), sofie(date(2026, 12, 18))])
    patterns = await patterns_for(db, date(2026, 12, 18))
    assert (str(patterns.period.first), str(patterns.period.last)) == ("2026-01", "2026-06")
    assert patterns.departures == 12  # the twelve of the half-year, not her
    assert "new_challenge" not in dict(patterns.reasons)
    assert patterns.recommend.value == 8 / 12
