"""Insights split by type of departure: the same small-group protection as every figure, on
hand-built counts, in storage (SQLite and PostgreSQL) and on HR's card."""

from __future__ import annotations

from datetime import date

from cards.insights import Choice, insights_card
from cards.locale import Speaker
from config.insights import insights_rules, reportable_questions
from config.loader import default_config_dir, load_config
from journey.departure import Departure, DepartureType
from journey.insights import build_report, report_rows
from journey.insights_counts import Counts, DepartureCell, InsightsRules
from journey.insights_service import gather
from journey.periods import Month, Period
from storage.database import Database
from storage.insights import SqlInsightsSource
from storage.repositories import SqlDepartureRepository
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import texts_of

RULES = InsightsRules()
PERIOD = Period(Month(2026, 1), Month(2026, 12))


def _cell(unit: str, kind: str, departures: int, accepted: int = 0) -> DepartureCell:
    return DepartureCell(
        unit=unit,
        month="2026-03",
        departures=departures,
        accepted=accepted,
        answered=0,
        departure_type=kind,
    )


def _by_type(counts: Counts, unit: str | None) -> dict[str, tuple[float | None, float | None]]:
    report = build_report(counts, PERIOD, unit, {}, RULES)
    rows = report_rows(report)
    count = {r.item: r.current.value for r in rows if r.section == "by_type"}
    share = {r.item: r.current.value for r in rows if r.section == "accepted_by_type"}
    return {kind: (count[kind], share[kind]) for kind in count}


def test_a_small_type_is_hidden_with_its_cover_and_the_big_ones_are_shown() -> None:
    counts = Counts(
        departures=(
            _cell("care", "resignation", 30, accepted=15),
            _cell("care", "retirement", 8, accepted=2),
            _cell("care", "dismissal", 2),
        )
    )
    split = _by_type(counts, None)
    assert split["resignation"] == (30, 0.5)
    # Two dismissals alone would name someone; retirement is hidden with them, so the total
    # (40, shown above) minus the shown types does not give the dismissals away.
    assert split["dismissal"] == (None, None)
    assert split["retirement"] == (None, None)
    assert list(split) == ["resignation", "retirement", "dismissal"]  # the types' own order


def test_a_type_hidden_among_the_units_is_hidden_in_the_unit_too() -> None:
    counts = Counts(
        departures=(
            _cell("care", "resignation", 20),
            _cell("care", "dismissal", 6),
            _cell("roads", "resignation", 20),
            _cell("roads", "dismissal", 2),
        )
    )
    # Roads' two dismissals are hidden; so care's six, or 8 - 6 would give them away.
    assert _by_type(counts, "care")["dismissal"] == (None, None)
    assert _by_type(counts, "roads")["dismissal"] == (None, None)
    assert _by_type(counts, None)["dismissal"] == (8, 0.0)
    # And what remains in care is then one shown type next to a hidden one: hidden too.
    assert _by_type(counts, "care")["resignation"] == (None, None)


def test_a_hidden_scope_shows_no_split() -> None:
    counts = Counts(departures=(_cell("care", "resignation", 3),))
    report = build_report(counts, PERIOD, "care", {}, RULES)
    assert report.hidden
    assert not [r for r in report_rows(report) if r.section == "by_type"]


async def test_storage_counts_each_type_and_the_card_shows_the_split(db: Database) -> None:
    config = load_config(default_config_dir())
    repository = SqlDepartureRepository(db)
    kinds = ["resignation"] * 7 + ["retirement"] * 6 + ["dismissal"] * 2
    for number, kind in enumerate(kinds):
        await repository.add(
            Departure(
                leaver_upn=f"person{number}@contoso.example",
                manager_upn="manager@contoso.example",
                unit="technical-services",
                last_working_day=date(2026, 10, 30),
                departure_type=DepartureType(kind),
            )
        )
    insights = await gather(
        SqlInsightsSource(db),
        Period.last_months(12, date(2026, 11, 23)),
        None,
        reportable_questions(config),
        insights_rules(config),
    )
    rows = {r.item: r.current for r in report_rows(insights.report) if r.section == "by_type"}
    assert rows["resignation"].value == 7
    assert rows["retirement"].hidden and rows["dismissal"].hidden  # 2, and its cover

    say = Speaker(config, "da")
    choice = [Choice(title="Contoso", value="organisation")]
    card = insights_card(
        say,
        insights,
        scope_title="Contoso",
        units=choice,
        unit_value="organisation",
        periods=[Choice(title="12", value="last_12")],
        period_value="last_12",
        min_answers=5,
    )
    assert_valid_card(card)
    shown = texts_of(card)
    assert config.text("insights.by_type", "da") in shown
    assert config.text("departure_type.resignation", "da") in shown
