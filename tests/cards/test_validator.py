"""The card validator catches what Teams would silently drop or refuse, and passes a good card."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.cards.validator import assert_valid_card, validate_card, validate_cards


def good_card() -> dict[str, Any]:
    """A card that uses most of what the bot's cards use, all of it valid 1.5."""
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.5",
        "lang": "nb",
        "msteams": {"width": "Full"},
        "refresh": {
            "action": {"type": "Action.Execute", "verb": "offer.refresh", "data": {"d": "42"}},
            "userIds": ["29:abc"],
        },
        "body": [
            {"type": "TextBlock", "text": "Avgangsintervju", "size": "Large", "weight": "Bolder"},
            {"type": "TextBlock", "text": "Vil du ha en samtale?", "wrap": True, "isSubtle": True},
            {"type": "FactSet", "facts": [{"title": "Siste dag", "value": "31. mai"}]},
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [{"type": "TextBlock", "text": "A"}],
                    },
                    {"type": "Column", "width": "stretch", "items": []},
                ],
            },
            {
                "type": "Input.ChoiceSet",
                "id": "slot",
                "label": "Tidspunkt",
                "style": "expanded",
                "isRequired": True,
                "errorMessage": "Velg et tidspunkt",
                "choices": [{"title": "Man 10:00", "value": "s1"}],
            },
            {"type": "Input.Text", "id": "comment", "label": "Kommentar", "isMultiline": True},
            {
                "type": "Container",
                "style": "emphasis",
                "items": [{"type": "TextBlock", "text": "x"}],
            },
        ],
        "actions": [
            {"type": "Action.Execute", "title": "Ja", "verb": "offer.accept", "data": {"d": "42"}},
            {"type": "Action.Submit", "title": "Nei", "data": {"verb": "offer.decline"}},
            {
                "type": "Action.ShowCard",
                "title": "Mer",
                "card": {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "..."}]},
            },
        ],
    }


def with_body(*elements: dict[str, Any]) -> dict[str, Any]:
    card = good_card()
    card["body"] = list(elements)
    return card


def test_a_valid_card_passes() -> None:
    assert validate_card(good_card()) == []
    assert_valid_card(good_card())


def test_unknown_element_type_is_named() -> None:
    errors = validate_card(with_body({"type": "TextBlok", "text": "typo"}))
    assert any("TextBlok" in e and "Unknown element type" in e for e in errors), errors


def test_bad_enum_value_is_named() -> None:
    errors = validate_card(with_body({"type": "TextBlock", "text": "x", "size": "huge"}))
    assert any('"huge"' in e and '"size"' in e for e in errors), errors


def test_input_without_id_fails() -> None:
    errors = validate_card(with_body({"type": "Input.Text", "label": "Name"}))
    assert any("Input.Text" in e and "Id" in e for e in errors), errors


def test_execute_without_verb_fails() -> None:
    card = good_card()
    card["actions"] = [{"type": "Action.Execute", "title": "Go", "data": {"d": "1"}}]
    errors = validate_card(card)
    assert errors == [
        '$.actions[0] (Action.Execute): missing "verb" (the bot routes card actions by verb)'
    ]


def test_execute_without_verb_is_found_in_refresh_and_select_actions() -> None:
    card = good_card()
    card["refresh"]["action"].pop("verb")
    card["body"][6]["selectAction"] = {"type": "Action.Execute", "title": "x"}
    errors = validate_card(card)
    assert any(e.startswith("$.refresh.action (Action.Execute)") for e in errors), errors
    assert any(e.startswith("$.body[6].selectAction (Action.Execute)") for e in errors), errors


def test_submit_without_verb_in_data_fails() -> None:
    card = good_card()
    card["actions"] = [{"type": "Action.Submit", "title": "Send", "data": {"answer": 1}}]
    assert validate_card(card) == [
        '$.actions[0] (Action.Submit): "data" must carry a "verb" (the bot routes by verb)'
    ]


def test_unknown_property_is_named_with_its_path() -> None:
    errors = validate_card(with_body({"type": "TextBlock", "text": "x", "colour": "Good"}))
    assert errors == ['$.body[0] (TextBlock): unknown property "colour"']


def test_unknown_property_deep_inside_is_found() -> None:
    card = good_card()
    card["body"][3]["columns"][0]["items"][0]["fontSize"] = 12
    card["actions"][2]["card"]["body"][0]["bold"] = True
    errors = validate_card(card)
    assert '$.body[3].columns[0].items[0] (TextBlock): unknown property "fontSize"' in errors
    assert '$.actions[2].card.body[0] (TextBlock): unknown property "bold"' in errors


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"type": "TextBlock", "text": "x", "wrap": "yes"}, 'property "wrap" must be boolean'),
        ({"type": "TextBlock", "text": "x", "size": 3}, 'property "size" must be string'),
        ({"type": "TextBlock", "text": 5}, 'property "text" must be string'),
        (
            {"type": "Input.Text", "id": "a", "maxLength": "10"},
            'property "maxLength" must be number',
        ),
        ({"type": "FactSet", "facts": {"title": "a"}}, 'property "facts" must be array'),
    ],
)
def test_wrong_json_type_is_named(element: dict[str, Any], message: str) -> None:
    errors = validate_card(with_body(element))
    assert any(message in e for e in errors), errors


def test_property_newer_than_1_5_fails() -> None:
    errors = validate_card(
        with_body({"type": "Image", "url": "https://e.x/a.png", "forceLoad": True})
    )
    assert any("forceLoad" in e and "1.6" in e for e in errors), errors


def test_card_version_must_be_1_5() -> None:
    card = good_card()
    card["version"] = "1.4"
    assert validate_card(card) == ["$.version: must be \"1.5\" (what Teams renders), got '1.4'"]


def test_duplicate_input_ids_fail() -> None:
    errors = validate_card(
        with_body({"type": "Input.Text", "id": "a"}, {"type": "Input.Text", "id": "a"})
    )
    assert any('Duplicate Id "a"' in e for e in errors), errors


def test_a_batch_reports_each_card_on_its_own() -> None:
    bad = with_body({"type": "TextBlock", "text": "x", "size": "huge"})
    results = validate_cards([good_card(), bad, copy.deepcopy(good_card())])
    assert len(results) == 3
    assert results[0] == [] and results[2] == []
    assert results[1] and all('"huge"' in e for e in results[1])


def test_lang_is_accepted_on_every_card_of_a_batch() -> None:
    # The SDK's own "lang" check flips between valid and invalid on repeated use.
    card = with_body({"type": "TextBlock", "text": "x", "lang": "da"})
    assert validate_cards([card, card, card]) == [[], [], []]


def test_bad_lang_is_named() -> None:
    errors = validate_card(with_body({"type": "TextBlock", "text": "x", "lang": "nb-NO"}))
    assert any('"nb-NO"' in e and '"lang"' in e for e in errors), errors


def test_assert_valid_card_lists_every_problem() -> None:
    card = with_body({"type": "TextBlock", "text": "x", "size": "huge", "foo": 1})
    with pytest.raises(AssertionError) as excinfo:
        assert_valid_card(card)
    message = str(excinfo.value)
    assert "2 problems" in message
    assert '"huge"' in message and 'unknown property "foo"' in message
