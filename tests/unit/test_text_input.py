"""Text from outside is cleaned once at the edge: nothing a database or log cannot hold,
nothing the person typed lost."""

from __future__ import annotations

import json

import pytest

from journey.text_input import MAX_DEPTH, REPLACEMENT, TooDeep, clean_text, clean_value


def test_text_that_needs_nothing_is_kept_as_it_is() -> None:
    text = "Tak for alt – Åse 😀\tline\r\nnext"
    assert clean_text(text) is text


def test_nul_and_other_control_characters_are_dropped_and_the_rest_kept() -> None:
    # Seen: a survey answer with U+0000 failed the turn on PostgreSQL and the answer was lost.
    assert clean_text("good\x00 team\x07\x1b[31m") == "good team[31m"


def test_tab_and_line_breaks_are_kept() -> None:
    assert clean_text("a\tb\nc\r\nd") == "a\tb\nc\r\nd"


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    # Seen: a lone surrogate in an activity id, a name or a locale failed the turn.
    text = json.loads('"Ann\\ud800e"')
    cleaned = clean_text(text)
    assert cleaned == f"Ann{REPLACEMENT}e"
    cleaned.encode("utf-8")  # storable and loggable


def test_a_lone_low_surrogate_too() -> None:
    assert clean_text("x\udc00") == f"x{REPLACEMENT}"


def test_a_split_surrogate_pair_is_joined_again() -> None:
    assert clean_text("smile \ud83d\ude00!") == "smile 😀!"


def test_every_string_of_a_value_is_cleaned_keys_too_and_the_rest_kept() -> None:
    body = json.loads(
        '{"id": "a\\u0000b", "from": {"name": "Bo\\ud800"}, "locale": "da\\u0000-DK",'
        ' "value": {"answers": ["ok\\u0000", 3, null, true, 1.5]}, "k\\u0001": "v"}'
    )
    assert clean_value(body) == {
        "id": "ab",
        "from": {"name": f"Bo{REPLACEMENT}"},
        "locale": "da-DK",
        "value": {"answers": ["ok", 3, None, True, 1.5]},
        "k": "v",
    }


def _nested(depth: int) -> object:
    value: object = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def test_nesting_up_to_the_limit_is_cleaned() -> None:
    assert clean_value(_nested(MAX_DEPTH)) == _nested(MAX_DEPTH)


def test_nesting_past_the_limit_is_refused_without_walking_it_all() -> None:
    with pytest.raises(TooDeep):
        clean_value(_nested(MAX_DEPTH + 1))
    # Far deeper than Python's recursion limit: refused, not a RecursionError.
    with pytest.raises(TooDeep):
        clean_value(_nested(50_000))
