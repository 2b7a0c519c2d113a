"""The adversary: every view of insights a person can reach, read together, gives away no
leaver's answer (issue 14, "anonymity across views").

On hand-built leavers (tests/insights/views.py: lone months, a lone dismissal, rare reasons, a
unit of one), every scope (the organisation, each unit) and every period the card offers or the
export accepts, each with its period before, is asked for. For every pair of shown figures of
the same measure, one group inside the other, the difference must hold the minimum; for all of
them together, no group of fewer than the minimum lies in the span of the shown groups
(tests/insights/adversary.py), so nothing subtracted or added from the views pins down one
leaver's answer or a few leavers' together.

Run on the code before issue 14 (the card's last 12/6/3 months and years, the export's any
months), the same adversary found 477 single leavers whose answers the views gave away (one
leaver's motivation rating from the organisation's 2023-01..08 against ..09, ..10, ..11), and
87 groups of 1-4 from the card alone (overlapping months next to the units; reasons of 2-4).
"""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from config.insights import insights_rules
from config.loader import default_config_dir, load_config
from journey.insights import period_figures
from journey.insights_counts import InsightsRules
from journey.periods import Month, Period, Tiling
from tests.insights.adversary import Shown, pairs_leaks, span_leaks
from tests.insights.views import (
    QUESTIONS,
    LeaverSource,
    leavers,
    reachable_periods,
    shown_figures,
    type_complements,
)

TODAY = date(2026, 12, 3)
HORIZON = Period(Month(2023, 1), Month(2026, 12))


def _all_views(rules: InsightsRules) -> tuple[list[Shown], int]:
    """Every shown figure of every reachable view, and how many views there are."""
    config = load_config(default_config_dir())
    people = leavers()
    periods = reachable_periods(config, rules, TODAY, HORIZON)
    scopes: list[str | None] = [None, *sorted({p.unit for p in people})]
    figures = asyncio.run(shown_figures(people, rules, periods, scopes))
    return figures + type_complements(figures, people), len(periods) * len(scopes)


@pytest.mark.parametrize("tiling", list(Tiling))
def test_no_pair_of_views_and_not_all_of_them_give_a_leaver_away(tiling: Tiling) -> None:
    config = load_config(default_config_dir())
    rules = insights_rules(config).model_copy(update={"period": tiling})
    figures, views = _all_views(rules)
    assert views >= 3 * 5, "the card offers tiles of three years, for five scopes"
    # The views do show something: the protection is not hiding everything.
    measures = {f.measure[0] for f in figures}
    assert {"departures", "accepted", "respondents", "reason", "area", "recommend"} <= measures
    # Issue 14: follow-ups agreed and done per area are among them, under the same protection.
    assert {"follow_ups_agreed", "follow_ups_done"} <= measures
    pairs = pairs_leaks(figures, rules.min_answers)
    assert not pairs, "\n".join(map(str, pairs))
    spans = span_leaks(figures, rules.min_answers)
    assert not spans, "\n".join(map(str, spans))


def test_the_adversary_catches_two_overlapping_periods() -> None:
    """Issue 7's leak: a half-year against the same half-year without its last month gives
    June's one leaver away; and the organisation next to its units the lone museum leaver."""
    people = leavers()
    rules = InsightsRules(period=Tiling.HALF_YEAR)
    counts = asyncio.run(
        LeaverSource(people).counts([HORIZON], list(QUESTIONS), ["development", "manager"])
    )
    figures = []
    for last in (Month(2026, 5), Month(2026, 6)):
        period = Period(Month(2026, 1), last)
        total = period_figures(counts, period, "care", QUESTIONS, rules).departures
        assert total.shown and total.n >= rules.min_answers
        members = frozenset(p.id for p in people if p.unit == "care" and p.month in period)
        figures.append(Shown(("departures",), members, f"care ..{last}"))
    june = {p.id for p in people if p.unit == "care" and p.month == Month(2026, 6)}
    assert [leak.leavers for leak in pairs_leaks(figures, 5)] == [june]
    assert [leak.leavers for leak in span_leaks(figures, 5)] == [june]
    year = Period(Month(2025, 1), Month(2025, 12))
    by_unit = [
        Shown(("departures",), frozenset(p.id for p in people if p.month in year and
                                         (unit is None or p.unit == unit)), str(unit))
        for unit in (None, "care", "roads", "library")
    ]  # fmt: skip
    assert {"T000"} in [leak.leavers for leak in span_leaks(by_unit, 5)]
