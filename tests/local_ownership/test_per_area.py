"""Insights per area (issue 14): follow-ups agreed and done for the period's departures, with
the small-group protection of every other figure; in the counts, in storage (SQLite and
PostgreSQL), on the card (charts and their text) and in the export."""

from __future__ import annotations

from datetime import date

from cards.insights import Choice, insights_card
from cards.locale import Speaker
from cli.insights import export_rows
from cli.past_departures import Leaver, seed
from config.insights import insights_rules, reportable_questions, section_title
from config.loader import default_config_dir, load_config
from journey.insights import build_report, report_rows
from journey.insights_counts import Counts, DepartureCell, FollowUpCell, InsightsRules
from journey.insights_service import Insights, gather
from journey.periods import Month, Period
from storage.database import Database
from storage.insights import SqlInsightsSource
from tests.cards.charts import charts_in
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import texts_of
from tests.local_ownership.helpers import follow_up, insert_follow_ups

RULES = InsightsRules()
PERIOD = Period(Month(2026, 1), Month(2026, 6))


def _counts(*cells: FollowUpCell) -> Counts:
    departures = tuple(
        DepartureCell(unit=u, month="2026-03", departures=20, accepted=15, answered=0)
        for u in ("care", "roads", "parks")
    )
    return Counts(departures=departures, follow_ups=cells)


def _cell(unit: str, area: str, departures: int, agreed: int, done: int) -> FollowUpCell:
    return FollowUpCell(
        unit=unit, month="2026-01", area=area, departures=departures, agreed=agreed, done=done
    )


def _per_area(counts: Counts, unit: str | None) -> dict[str, tuple[float | None, float | None]]:
    rows = report_rows(build_report(counts, PERIOD, unit, {}, RULES))
    agreed = {r.item: r.current.value for r in rows if r.section == "follow_ups_agreed"}
    done = {r.item: r.current.value for r in rows if r.section == "follow_ups_done"}
    return {area: (agreed[area], done[area]) for area in agreed}


def test_an_area_of_too_few_departures_is_hidden_and_not_named() -> None:
    counts = _counts(
        _cell("care", "relations", 6, agreed=9, done=4),
        _cell("roads", "relations", 6, agreed=7, done=7),
        _cell("parks", "relations", 5, agreed=5, done=0),
        _cell("roads", "pay_benefits", 2, agreed=2, done=1),
    )
    assert _per_area(counts, "care") == {"relations": (9, 4)}
    # Roads' two departures with a follow-up about pay are too few: not shown, not named.
    assert _per_area(counts, "roads") == {"relations": (7, 7)}
    report = build_report(counts, PERIOD, "roads", {}, RULES)
    assert report.current.follow_ups["pay_benefits"][0].hidden
    # The organisation's pay (2) would be roads' alone: hidden there too.
    assert _per_area(counts, None) == {"relations": (21, 11)}


def test_the_organisation_minus_the_shown_units_gives_nobody_away() -> None:
    counts = _counts(
        _cell("care", "relations", 8, agreed=8, done=8),
        _cell("roads", "relations", 2, agreed=3, done=0),
    )
    # Roads' two are hidden; care's 8 would give them away as the organisation's 10 minus 8.
    assert _per_area(counts, "roads") == {}
    assert _per_area(counts, "care") == {}
    assert _per_area(counts, None) == {"relations": (11, 8)}


def test_a_hidden_scope_shows_no_follow_ups() -> None:
    counts = Counts(
        departures=(
            DepartureCell(unit="care", month="2026-03", departures=3, accepted=3, answered=0),
        ),
        follow_ups=(_cell("care", "relations", 3, agreed=3, done=3),),
    )
    assert build_report(counts, PERIOD, "care", {}, RULES).hidden
    assert _per_area(counts, "care") == {}


async def _seeded(db: Database) -> Insights:
    """Technical services: 7 leavers in 2026's second half; 6 with a follow-up about their
    relations (2 done), 2 with one about pay; one leaver of the first half with 5."""
    config = load_config(default_config_dir())
    leavers = [
        Leaver("technical-services", date(2026, 9, 30), name=f"Leaver {n}") for n in range(7)
    ]
    early = Leaver("technical-services", date(2026, 3, 31))
    await seed(db, [*leavers, early])
    rows = [
        follow_up(
            leaver.id, "technical-services", "relations", "Talk", date(2027, 1, 5), done=n < 2
        )
        for n, leaver in enumerate(leavers[:6])
    ]
    rows += [
        follow_up(leaver.id, "technical-services", "pay_benefits", "Pay", date(2027, 1, 5))
        for leaver in leavers[:2]
    ]
    rows += [
        follow_up(early.id, "technical-services", "relations", "Old", date(2026, 5, 1))
        for _ in range(5)
    ]
    await insert_follow_ups(db, rows)
    return await gather(
        SqlInsightsSource(db),
        Period(Month(2026, 7), Month(2026, 12)),
        "technical-services",
        reportable_questions(config),
        insights_rules(config),
    )


def _card(insights: Insights, language: str) -> dict:
    say = Speaker(load_config(default_config_dir()), language)
    card = insights_card(
        say,
        insights,
        scope_title="Teknik",
        units=[Choice(title="Teknik", value="technical-services")],
        unit_value="technical-services",
        periods=[Choice(title="2", value="2026-07")],
        period_value="2026-07",
        min_answers=5,
    )
    assert_valid_card(card)
    return card


async def test_storage_counts_the_periods_follow_ups_and_the_card_draws_the_shown(
    db: Database,
) -> None:
    config = load_config(default_config_dir())
    insights = await _seeded(db)
    now = insights.report.current.follow_ups
    assert (now["relations"][0].value, now["relations"][1].value) == (6, 2)
    assert now["pay_benefits"][0].hidden, "two leavers are too few"
    # The leaver of the first half is the period before's, and alone there: hidden.
    assert insights.report.previous.hidden
    for language in ("da", "sv", "nb", "en"):
        card = _card(insights, language)
        shown = texts_of(card)
        assert config.text("insights.follow_ups_agreed", language) in shown
        assert config.text("insights.follow_ups_done", language) in shown
        assert section_title(config, "pay_benefits", language) not in shown, "never named"
        relations = section_title(config, "relations", language)
        bars = [c for _, c in charts_in(card) if c["type"] == "Chart.HorizontalBar"]
        # Agreed, then done: one bar each, for the one area shown; its text bars underneath.
        assert [c["data"] for c in bars[-2:]] == [
            [{"x": relations, "y": 6}],
            [{"x": relations, "y": 2}],
        ]
        assert relations in texts_of(bars[-1]["fallback"])
    rows = export_rows(config, insights)
    exported = {(row[3], row[4]): row[7] for row in rows}
    assert exported[("follow_ups_agreed", "relations")] == 6
    assert exported[("follow_ups_done", "relations")] == 2
    assert not [key for key in exported if key[1] == "pay_benefits"]
