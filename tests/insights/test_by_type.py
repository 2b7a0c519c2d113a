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
from journey.insights_service import Insights, gather
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


def test_a_small_type_hides_the_whole_split() -> None:
    counts = Counts(
        departures=(
            _cell("care", "resignation", 30, accepted=15),
            _cell("care", "retirement", 8, accepted=2),
            _cell("care", "dismissal", 2),
        )
    )
    # Two dismissals alone would name someone, and the total (40) minus any shown type would
    # give them away: no type is shown, nor named.
    assert _by_type(counts, None) == {}
    assert build_report(counts, PERIOD, None, {}, RULES).current.by_type_hidden
    bigger = Counts(departures=(*counts.departures, _cell("care", "dismissal", 3)))
    split = _by_type(bigger, None)
    assert split == {"resignation": (30, 0.5), "retirement": (8, 0.25), "dismissal": (5, 0.0)}
    assert list(split) == ["resignation", "retirement", "dismissal"]  # the types' own order


def test_the_organisation_minus_the_shown_units_is_a_split_too() -> None:
    counts = Counts(
        departures=(
            _cell("care", "resignation", 20),
            _cell("care", "dismissal", 6),
            _cell("roads", "resignation", 20),
            _cell("roads", "dismissal", 2),
        )
    )
    # Roads' two dismissals are hidden; so is care's split, or 8 - 6 would give them away.
    assert _by_type(counts, "roads") == {}
    assert _by_type(counts, "care") == {}
    assert _by_type(counts, None) == {"resignation": (40, 0.0), "dismissal": (8, 0.0)}
    # With a third unit whose split is fine on its own, care and it together cover roads.
    third = Counts(departures=(*counts.departures, _cell("parks", "resignation", 30)))
    assert _by_type(third, "parks") == {"resignation": (30, 0.0)}
    assert _by_type(third, "care") == {}


def test_a_hidden_scope_shows_no_split() -> None:
    counts = Counts(departures=(_cell("care", "resignation", 3),))
    report = build_report(counts, PERIOD, "care", {}, RULES)
    assert report.hidden
    assert not [r for r in report_rows(report) if r.section == "by_type"]


async def _gathered(db: Database, kinds: list[str]) -> Insights:
    """HR's insights for the second half of 2026 over technical-services' `kinds` leavers."""
    config = load_config(default_config_dir())
    repository = SqlDepartureRepository(db)
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
    return await gather(
        SqlInsightsSource(db),
        Period(Month(2026, 7), Month(2026, 12)),
        None,
        reportable_questions(config),
        insights_rules(config),
    )


def _card_texts(insights: Insights, language: str) -> str:
    """The texts of HR's insights card for the organisation, checked valid."""
    say = Speaker(load_config(default_config_dir()), language)
    card = insights_card(
        say,
        insights,
        scope_title="Contoso",
        units=[Choice(title="Contoso", value="organisation")],
        unit_value="organisation",
        periods=[Choice(title="2", value="2026-07")],
        period_value="2026-07",
        min_answers=5,
    )
    assert_valid_card(card)
    return texts_of(card)


async def test_storage_counts_each_type_and_the_card_shows_the_split(db: Database) -> None:
    config = load_config(default_config_dir())
    insights = await _gathered(db, ["resignation"] * 7 + ["retirement"] * 6 + ["dismissal"] * 5)
    rows = {r.item: r.current for r in report_rows(insights.report) if r.section == "by_type"}
    assert rows["resignation"].value == 7
    assert rows["retirement"].value == 6 and rows["dismissal"].value == 5

    shown = _card_texts(insights, "da")
    assert config.text("insights.by_type", "da") in shown
    assert config.text("departure_type.resignation", "da") in shown


async def test_a_split_hidden_whole_is_said_on_the_card_and_names_no_type(db: Database) -> None:
    config = load_config(default_config_dir())
    insights = await _gathered(db, ["resignation"] * 7 + ["retirement"] * 6 + ["dismissal"] * 2)
    assert insights.report.current.by_type_hidden
    for language in ("da", "sv", "nb", "en"):
        shown = _card_texts(insights, language)
        heading = config.text("insights.by_type", language)
        hidden = config.text("insights.hidden", language)
        assert f"{heading}\n{hidden}" in shown  # the heading, then "hidden" under it
        for kind in DepartureType:
            assert config.text(f"departure_type.{kind.value}", language) not in shown
