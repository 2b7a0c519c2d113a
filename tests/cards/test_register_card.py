"""HR's registration form and confirmation card: valid for the SDK, in four languages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cards.locale import Speaker
from cards.register import FormValues, register_form_card, registered_card
from config.loader import LoadedConfig, default_config_dir, load_config
from dialogs.register import form_view, registered_view
from journey.departure import Departure, DepartureStatus
from journey.locale import SUPPORTED_LANGUAGES
from tests.cards.validator import assert_valid_cards

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def _departure(**changes: Any) -> Departure:
    values: dict[str, Any] = {
        "leaver_upn": "leaver@contoso.example",
        "leaver_name": "Sofie Andersen",
        "manager_upn": "manager@contoso.example",
        "unit": "home-care",
        "last_working_day": date(2026, 4, 30),
        "locale": "da",
    }
    values.update(changes)
    return Departure(**values)


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["id"]: element for element in card["body"] if "id" in element}


def test_every_register_card_is_valid_in_every_language(config: LoadedConfig) -> None:
    cards = []
    for language in SUPPORTED_LANGUAGES:
        cards.append(register_form_card(form_view(config, language, TODAY)))
        filled = FormValues(
            leaver="x@contoso.example",
            manager="m@contoso.example",
            unit="social-care",
            last_working_day="2026-04-30",
            locale="sv",
        )
        error = config.text("register.unknown_person", language)
        cards.append(
            register_form_card(form_view(config, language, TODAY, error=error, values=filled))
        )
        message = config.text("register.created", language, name="Sofie", last_day="30/4")
        cards.append(
            registered_card(registered_view(config, language, TODAY, _departure(), message))
        )
        cancelled = _departure(status=DepartureStatus.CANCELLED)
        cards.append(
            registered_card(registered_view(config, language, TODAY, cancelled, "", error=error))
        )
    assert_valid_cards(cards)


def test_the_form_asks_for_each_field_with_units_and_languages_to_choose(
    config: LoadedConfig,
) -> None:
    card = register_form_card(form_view(config, "da-DK", TODAY))
    inputs = _inputs(card)
    assert list(inputs) == [
        "leaver",
        "manager",
        "unit",
        "departure_type",
        "last_working_day",
        "locale",
    ]
    assert inputs["departure_type"]["isRequired"]
    assert inputs["departure_type"]["choices"][-2] == {
        "title": config.text("departure_type.dismissal", "da"),
        "value": "dismissal",
    }
    assert inputs["leaver"]["isRequired"] and not inputs["manager"].get("isRequired")
    assert inputs["leaver"]["label"] == config.text("register.leaver", "da")
    assert [c["value"] for c in inputs["unit"]["choices"]] == list(config.unit_ids)
    assert inputs["unit"]["choices"][0]["title"] == "Social og Sundhed"
    assert [c["value"] for c in inputs["locale"]["choices"]] == ["da", "sv", "nb", "en"]
    assert inputs["last_working_day"]["type"] == "Input.Date"
    assert inputs["last_working_day"]["min"] == "2026-03-02"
    [submit] = card["actions"]
    assert (submit["type"], submit["verb"]) == ("Action.Execute", "register.submit")
    assert card["lang"] == "da"


def test_after_an_error_the_form_shows_it_and_keeps_what_hr_entered(config: LoadedConfig) -> None:
    values = FormValues(
        leaver="typo@contoso.example", unit="home-care", last_working_day="2026-05-01"
    )
    error = config.text("register.unknown_person", "en")
    card = register_form_card(form_view(config, "en", TODAY, error=error, values=values))
    assert card["body"][1]["text"] == error
    assert card["body"][1]["color"] == "Attention"
    inputs = _inputs(card)
    assert inputs["leaver"]["value"] == "typo@contoso.example"
    assert inputs["unit"]["value"] == "home-care"
    assert inputs["last_working_day"]["value"] == "2026-05-01"
    assert "value" not in inputs["manager"]


def test_the_confirmation_writes_the_day_out_and_offers_change_and_cancel(
    config: LoadedConfig,
) -> None:
    departure = _departure()
    card = registered_card(registered_view(config, "da", TODAY, departure, "ok"))
    facts = dict(
        (fact["title"], fact["value"])
        for block in card["body"]
        if block["type"] == "FactSet"
        for fact in block["facts"]
    )
    # One date style per language (issue 11); a leading Danish date is no numbered list.
    assert facts[config.text("task.last_day", "da")] == "30\\. april 2026"
    assert facts[config.text("register.unit", "da")] == "Hjemmeplejen"
    assert facts[config.text("task.state", "da")] == config.text("state.registered", "da")
    verbs = [action["card"]["actions"][0]["verb"] for action in card["actions"]]
    assert verbs == ["register.change_day", "register.change_details", "register.cancel"]
    data = [action["card"]["actions"][0]["data"] for action in card["actions"]]
    # The mark of the plan the card is drawn for: a press after the plan changed is refused.
    assert data == [{"departure_id": departure.id, "mark": departure.mark}] * 3
    # HR's own view: the type and the regret (never on a card the leaver gets).
    assert facts[config.text("register.type", "da")] == config.text(
        "departure_type.resignation", "da"
    )
    assert facts[config.text("register.regret", "da")] == config.text("register.regret_unset", "da")


def test_a_cancelled_departure_offers_no_more_actions(config: LoadedConfig) -> None:
    cancelled = _departure(status=DepartureStatus.CANCELLED)
    card = registered_card(registered_view(config, "en", TODAY, cancelled, "done"))
    assert "actions" not in card


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_past_last_day_is_refused_as_today_or_later_not_as_empty(
    config: LoadedConfig, language: str
) -> None:
    form = _inputs(register_form_card(form_view(config, language, TODAY)))["last_working_day"]
    changed = registered_card(registered_view(config, language, TODAY, _departure(), ""))
    [day_on_card] = [
        element
        for action in changed["actions"]
        for element in action["card"]["body"]
        if element.get("id") == "last_working_day"
    ]
    for day in (form, day_on_card):
        # Teams shows errorMessage for an empty day and for one outside `min`..`max` alike.
        assert day["min"] == TODAY.isoformat()
        latest = TODAY + timedelta(days=config.max_days_ahead)
        assert day["max"] == latest.isoformat()
        named = Speaker(config, language).day(latest)
        assert day["errorMessage"] == config.text("register.day_required", language, latest=named)
        assert day["errorMessage"] != config.text("register.required", language)
    wording = {
        "da": "i dag eller senere",
        "sv": "i dag eller senare",
        "nb": "i dag eller senere",
        "en": "today or later",
    }[language]
    assert wording in config.text("register.day_required", language, latest="-")
    assert wording in config.text("register.last_day_in_past", language)


@pytest.mark.parametrize(
    ("language", "name"),
    [("da", "Hjemmeplejen"), ("sv", "Hemtjänsten"), ("nb", "Hjemmetjenesten"), ("en", "Home Care")],
)
def test_unit_names_are_in_the_readers_language(
    config: LoadedConfig, language: str, name: str
) -> None:
    form = _inputs(register_form_card(form_view(config, language, TODAY)))
    assert name in [choice["title"] for choice in form["unit"]["choices"]]
    card = registered_card(registered_view(config, language, TODAY, _departure(), ""))
    facts = {
        f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]
    }
    assert facts[config.text("register.unit", language)] == name
