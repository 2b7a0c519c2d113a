"""Teams' chart elements: checked against their documented properties (the Adaptive Cards SDK
does not know them), each with a fallback the SDK checks; the insights card draws no hidden
figure and keeps every figure in its fallback, in four languages."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from cards.base import adaptive_card, facts
from cards.charts import Point, Series, donut, horizontal_bar, line, vertical_bar
from cards.insights import drawn_value, insights_card, month_label, month_name, period_label
from cards.locale import Speaker
from config.insights import option_label
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.insights import report_rows
from journey.locale import SUPPORTED_LANGUAGES
from journey.periods import Month, Period
from tests.cards.catalogue import every_card, insights_of
from tests.cards.charts import charts_in
from tests.cards.validator import validate_card, validate_cards

FALLBACK = facts([("Pay", "▇▇▇ 38%")])
POINTS = [Point("Pay", 38), Point("Career", 50)]


def every_chart() -> dict[str, dict[str, Any]]:
    """One of each chart, as cards.charts builds them."""
    return {
        "Chart.VerticalBar": vertical_bar(POINTS, FALLBACK, title="Reasons"),
        "Chart.HorizontalBar": horizontal_bar(POINTS, FALLBACK),
        "Chart.Line": line([Series("Departures", tuple(POINTS))], FALLBACK),
        "Chart.Donut": donut(POINTS, FALLBACK, colors=("good", "neutral")),
    }


def test_every_chart_with_its_fallback_is_valid() -> None:
    charts = every_chart()
    assert [chart["type"] for chart in charts.values()] == list(charts)
    results = validate_cards([adaptive_card([chart]) for chart in charts.values()])
    assert results == [[], [], [], []]


def test_a_chart_without_points_is_its_fallback_alone() -> None:
    assert vertical_bar([], FALLBACK) is FALLBACK
    assert line([Series("Departures", ())], FALLBACK) is FALLBACK
    assert donut([], FALLBACK) is FALLBACK


def broken(kind: str, **changes: Any) -> dict[str, Any]:
    """A card with one chart of `kind`, changed: a key set to None is removed."""
    chart = copy.deepcopy(every_chart()[kind])
    for key, value in changes.items():
        if value is None:
            chart.pop(key, None)
        else:
            chart[key] = value
    return adaptive_card([chart])


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (broken("Chart.VerticalBar", fallback=None), 'missing "fallback"'),
        (broken("Chart.Line", fallback="drop"), '"fallback" must be an element'),
        (
            broken("Chart.Donut", fallback=donut(POINTS, FALLBACK)),
            "an element a host without charts shows",
        ),
        (broken("Chart.HorizontalBar", colour="categoricalBlue"), 'unknown property "colour"'),
        (broken("Chart.HorizontalBar", displayMode="Stacked"), '"displayMode" must be one of'),
        (broken("Chart.VerticalBar", color="blue"), '"color" must be one of'),
        (broken("Chart.VerticalBar", showBarValues="yes"), '"showBarValues" must be a boolean'),
        (broken("Chart.Donut", data=[]), '"data" must be a non-empty array'),
        (broken("Chart.VerticalBar", data=[{"x": "Pay", "y": "38"}]), '"y" must be a number'),
        (broken("Chart.VerticalBar", data=[{"x": "Pay"}]), 'missing "y"'),
        (broken("Chart.Donut", data=[{"legend": "Yes", "size": 3}]), 'unknown property "size"'),
        (broken("Chart.Line", data=[{"legend": "D", "values": [{"x": "Jan"}]}]), 'missing "y"'),
        (broken("Chart.Line", data=[{"legend": "D", "values": []}]), "must not be empty"),
        (broken("Chart.Line", type="Chart.Bar"), "unknown chart type 'Chart.Bar'"),
    ],
)
def test_a_malformed_chart_is_caught(card: dict[str, Any], message: str) -> None:
    errors = validate_card(card)
    assert any(message in error for error in errors), errors


def test_the_fallback_is_checked_by_the_sdk_in_the_charts_place() -> None:
    bad_fallback = {"type": "TextBlock", "text": "8", "wrap": "yes"}
    errors = validate_card(broken("Chart.VerticalBar", fallback=bad_fallback))
    assert errors == ['$.body[0] (TextBlock): property "wrap" must be boolean, got string']
    errors = validate_card(broken("Chart.Donut", fallback={"type": "FactSett", "facts": []}))
    assert any("FactSett" in error for error in errors), errors


def test_a_chart_inside_a_container_is_checked_too() -> None:
    chart = dict(every_chart()["Chart.Donut"], thickness="Thin")
    card = adaptive_card([{"type": "Container", "items": [chart]}])
    assert validate_card(card) == ['$.body[0].items[0] (Chart.Donut): unknown property "thickness"']


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def drawn_labels(card: dict[str, Any]) -> Iterator[str]:
    for _, chart in charts_in(card):
        for point in chart["data"]:
            yield point.get("x") or point.get("legend")
            for value in point.get("values", []):
                yield value["x"]


def hidden_labels(config: LoadedConfig, language: str) -> set[str]:
    """What catalogue.insights_of hides: July and October 2026, "commute", dismissals."""
    say = Speaker(config, language)
    months = {month_label(say, Month(2026, 7)), month_label(say, Month(2026, 10))}
    commute = option_label(config, "reasons", "commute", say.locale)
    return months | {commute, say("departure_type.dismissal")}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_insights_card_draws_what_is_shown_and_nothing_hidden(
    config: LoadedConfig, language: str
) -> None:
    card = every_card(config, language)["insights"]
    charts = [chart for _, chart in charts_in(card)]
    kinds = {chart["type"] for chart in charts}
    assert kinds == {"Chart.Donut", "Chart.HorizontalBar", "Chart.Line", "Chart.VerticalBar"}
    drawn = list(drawn_labels(card))
    hidden = hidden_labels(config, language)
    assert not hidden & set(drawn), "a hidden figure is drawn"
    say = Speaker(config, language)
    # One line per period over this period's months, September to November; October is
    # hidden now, and July, October's month before.
    [line_chart] = [chart for chart in charts if chart["type"] == "Chart.Line"]
    now, before = line_chart["data"]
    assert now["legend"] == period_label(say, Period(Month(2026, 9), Month(2026, 11)))
    assert before["legend"] == period_label(say, Period(Month(2026, 6), Month(2026, 8)))
    shown = [month_name(say, Month(2026, m)) for m in (9, 11)]
    assert [point["x"] for point in now["values"]] == shown
    assert [point["x"] for point in before["values"]] == shown
    rows = [r for r in report_rows(insights_of().report) if r.section == "per_month"]
    assert [point["y"] for point in now["values"]] == [
        drawn_value(r.current, r.kind) for r in rows if r.current.shown
    ]
    assert [point["y"] for point in before["values"]] == [
        drawn_value(r.previous, r.kind) for r in rows if r.previous.shown
    ]
    texts = " ".join(str(e.get("text")) for e in card["body"] if e["type"] == "TextBlock")
    assert all(label in texts for label in hidden), "each chart names what it leaves out"
    for chart in charts:
        # The text bars: every figure, the hidden ones said to be hidden.
        assert chart["fallback"]["type"] == "FactSet"
    fallbacks = " ".join(
        f"{fact['title']}={fact['value']}"
        for chart in charts
        for fact in chart["fallback"]["facts"]
    )
    july = month_label(say, Month(2026, 7))  # in the period before: October's "before"
    for label in hidden - {july}:
        assert f"{label}={say('insights.hidden')}" in fallbacks, label


def test_a_year_per_month_is_drawn_over_the_months_numbers(config: LoadedConfig) -> None:
    """Twelve month names are cut short under the points ("j…"): a year's axis numbers them,
    its legends name the years; February is hidden in both."""
    say = Speaker(config, "da")
    year = Period.year(2025)
    card = insights_card(
        say,
        insights_of(period=year),
        scope_title="Hele organisationen",
        units=[],
        unit_value="",
        periods=[],
        period_value="",
        min_answers=5,
    )
    [line_chart] = [chart for _, chart in charts_in(card) if chart["type"] == "Chart.Line"]
    now, before = line_chart["data"]
    assert (now["legend"], before["legend"]) == ("jan. 2025 – dec. 2025", "jan. 2024 – dec. 2024")
    numbers = [str(month) for month in range(1, 13) if month != 2]
    assert [point["x"] for point in now["values"]] == numbers
    assert [point["x"] for point in before["values"]] == numbers
    assert month_name(say, Month(2025, 3), 6) == "mar."  # a half-year's axis names them


def test_drawn_values_are_the_shown_figures() -> None:
    rows = {(r.section, r.item): r for r in report_rows(insights_of().report)}
    assert drawn_value(rows[("reasons", "pay")].current, rows[("reasons", "pay")].kind) == 38
    area = rows[("areas", "job_content")]
    assert drawn_value(area.current, area.kind) == 3.6
    assert rows[("reasons", "commute")].current.hidden
