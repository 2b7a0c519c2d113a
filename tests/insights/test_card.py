"""`insights` on the real app: the card in four languages, who may see what, nothing revealed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.typedefs import DATABASE
from dialogs.commands import Command, word_for
from testkit.insights_seed import comments, derivable_by_subtraction, one_small_unit, seed
from tests.cards.charts import charts_in
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import HR, MANAGER, STRANGER, LiveApp, cards_of, texts_of

LOCALES = {"da": "da-DK", "sv": "sv-SE", "nb": "nb-NO", "en": "en-US"}


def fact(card: dict[str, Any], title: str) -> str:
    """The value of the first fact titled `title` anywhere in the card: in the body, or in the
    text bars a chart falls back to."""
    for element in card["body"]:
        for shown in (element, element.get("fallback") or {}):
            if shown.get("type") == "FactSet":
                for item in shown["facts"]:
                    if item["title"] == title:
                        return item["value"]
    raise AssertionError(f"no fact {title!r} in the card")


def choices(card: dict[str, Any], input_id: str) -> list[str]:
    element = next(e for e in card["body"] if e.get("id") == input_id)
    return [choice["value"] for choice in element["choices"]]


async def hr_card(app: LiveApp, unit: str = "all", period: str = "2026-01") -> dict[str, Any]:
    answer = await app.press(HR, "insights.show", {"unit": unit, "period": period})
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    return answer["value"]


async def test_the_card_in_four_languages_validates(app: LiveApp) -> None:
    await seed(app.app[DATABASE], one_small_unit() + comments(10))
    cards = []
    for language, locale in LOCALES.items():
        await app.say(HR, word_for(Command.INSIGHTS, language), locale=locale)
        card = await app.card_for(HR, app.text("insights.per_month", language))
        assert card["lang"] == language
        cards.append(card)
    for unit in ("all", "home-care", "technical-services"):
        for period in ("2026-01", "2025-07", "2025-01"):
            cards.append(await hr_card(app, unit, period))
    assert_valid_cards(cards)
    org = cards[3]  # English: the organisation, the newest half-year that is over
    # Whole half-years that are over, newest first (issue 14: periods never overlap).
    assert choices(org, "period") == [
        "2026-01",
        "2025-07",
        "2025-01",
        "2024-07",
        "2024-01",
        "2023-07",
    ]
    assert fact(org, "Departures") == "75 (before: 0)"  # 55 + 20 who wrote
    assert fact(cards[6], "Departures") == "20 (before: 0)"  # the first half of 2025
    assert fact(org, "Would recommend the job").startswith("98%")
    assert "Counted comment number" in texts_of(org)


async def test_someone_else_gets_a_refusal_and_nothing_else(app: LiveApp) -> None:
    await seed(app.app[DATABASE], one_small_unit())
    await app.say(STRANGER, "help")  # the first contact is greeted: not part of the answer
    before = len(app.sent_to(STRANGER))
    await app.say(STRANGER, "insights")
    sent = app.sent_to(STRANGER)[before:]
    assert [a.get("text") for a in sent] == [app.text("insights.not_allowed")]
    assert all(not cards_of(a) for a in sent)
    for unit in ("all", "technical-services"):
        answer = await app.press(STRANGER, "insights.show", {"unit": unit, "period": "last_12"})
        assert answer == {
            "statusCode": 200,
            "type": "application/vnd.microsoft.activity.message",
            "value": app.text("insights.not_allowed"),
        }


async def test_a_unit_manager_sees_only_their_unit(app: LiveApp) -> None:
    await seed(app.app[DATABASE], one_small_unit())
    await app.say(MANAGER, "insights")
    card = await app.card_for(MANAGER, app.text("insights.per_month"))
    assert choices(card, "unit") == ["technical-services"]
    # The unit's name in the reader's language (units.yaml `names`, issue 11).
    assert "Technical and Environmental Services" in texts_of(card)
    assert fact(card, "Departures") == "30 (before: 0)"
    for other in ("all", "home-care", "social-care"):
        answer = await app.press(MANAGER, "insights.show", {"unit": other, "period": "last_12"})
        assert answer["value"] == app.text("insights.not_your_unit"), other
    own = await app.press(
        MANAGER, "insights.show", {"unit": "technical-services", "period": "last_6"}
    )
    assert own["type"] == "application/vnd.microsoft.card.adaptive"


async def test_a_bad_payload_changes_nothing(app: LiveApp) -> None:
    answer = await app.press(HR, "insights.show", {"unit": "all", "period": "forever"})
    assert answer["value"] == app.text("error.bad_input")
    answer = await app.press(HR, "insights.show", {"unit": "all", "extra": "x"})
    assert answer["value"] == app.text("error.bad_input")


async def test_the_one_small_unit_is_not_revealed(app: LiveApp) -> None:
    await seed(app.app[DATABASE], one_small_unit())
    home = await hr_card(app, "home-care")
    social = await hr_card(app, "social-care")
    for card in (home, social):
        assert fact(card, "Would recommend the job").startswith("hidden")
        for area in ("Job content", "Motivation and development", "Work environment"):
            assert fact(card, area).startswith("hidden")
    # The one leaver's reason appears nowhere for their unit.
    assert "Leadership" not in texts_of(home)
    technical = await hr_card(app, "technical-services")
    assert fact(technical, "Would recommend the job").startswith("100%")


async def test_a_unit_derivable_by_subtraction_is_hidden(app: LiveApp) -> None:
    await seed(app.app[DATABASE], derivable_by_subtraction())
    org = await hr_card(app)
    assert fact(org, "Departures").startswith("39")
    too_few = app.text("insights.too_few", min=5)
    for unit in ("home-care", "social-care"):
        card = await hr_card(app, unit)
        assert too_few in texts_of(card), unit
        assert not any(e.get("type") == "FactSet" for e in card["body"])
    assert fact(await hr_card(app, "technical-services"), "Departures").startswith("30")


@pytest.mark.parametrize("writers", [9, 10])
async def test_comments_only_from_ten_and_never_with_a_name_or_a_day(
    app: LiveApp, writers: int
) -> None:
    await seed(app.app[DATABASE], comments(writers))
    for unit in ("all", "technical-services"):
        text = texts_of(await hr_card(app, unit))
        assert ("Counted comment number" in text) is (writers >= 10)
        assert "Private comment" not in text
        assert "Named Person" not in text
        assert "15" not in text.replace("2015", ""), "no day of the month anywhere"


async def test_the_charts_draw_the_shown_figures_and_keep_all_in_their_fallback(
    app: LiveApp,
) -> None:
    await seed(app.app[DATABASE], one_small_unit() + derivable_by_subtraction())
    card = await hr_card(app, "all", "last_12")
    charts = [chart for _, chart in charts_in(card)]
    assert {c["type"] for c in charts} >= {"Chart.Line", "Chart.HorizontalBar", "Chart.Donut"}
    hidden = app.text("insights.hidden")
    for chart in charts:
        assert chart["fallback"]["type"] == "FactSet", "text bars where charts are unknown"
        shown = [f for f in chart["fallback"]["facts"] if not f["value"].startswith(hidden)]
        if chart["type"] == "Chart.Line":
            assert len(chart["data"]) == 1
            continue
        drawn = [point.get("x") or point.get("legend") for point in chart["data"]]
        if chart["type"] != "Chart.Donut":
            assert drawn == [f["title"] for f in shown]
    recommend = next(c for c in charts if c["type"] == "Chart.Donut")
    assert fact(card, "Would recommend the job").startswith(f"{recommend['data'][0]['value']}%")
