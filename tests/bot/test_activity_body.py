"""A body's strings are cleaned (journey.text_input) whenever cleaning would change them, also
now that a body whose text shows no escape of a control character or surrogate is taken as
parsed: the body read is the body cleaned, for any JSON."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.activity_input import load_body
from journey.text_input import REPLACEMENT, clean_value

# Typed text, control characters (tab and line breaks kept by cleaning), surrogates, quotes
# and backslashes (an escaped backslash before "u0000" is no escape).
LETTERS = st.sampled_from(
    [
        *["a", "æ", "😀", " ", "\t", "\n", "\r", "\x00", "\x08", "\x0c", "\x1f", "\x7f"],
        *["\ud83d", "\ude00", '"', "\\", "u0000", "ud800", "b", "f", "/"],
    ]
)
TEXT = st.lists(LETTERS, max_size=6).map("".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@given(JSON)
def test_the_body_read_is_the_body_cleaned(value: object) -> None:
    raw = json.dumps(value).encode()
    assert load_body(raw) == clean_value(json.loads(raw))


@given(JSON)
def test_as_written_in_utf_8_too(value: object) -> None:
    written = json.dumps(value, ensure_ascii=False)
    raw = written.encode("utf-8", "replace")  # a lone surrogate cannot travel as UTF-8
    assert load_body(raw) == clean_value(json.loads(raw))


def test_what_a_client_escapes_is_cleaned() -> None:
    raw = b'{"text": "a\\u0000b\\bc\\fd\\ud800e\\ud83d\\ude00", "\\u001fkey": 1}'
    assert load_body(raw) == {"text": f"abcd{REPLACEMENT}e😀", "key": 1}
