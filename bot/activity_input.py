"""An activity's body as it arrives at /api/messages: bounded, parsed, cleaned, checked.

Before the JSON parser recurses, a cheap scan of the raw bytes (strings left out) refuses
nesting deeper than journey.text_input.MAX_DEPTH; aiohttp's client_max_size has already
bounded the size. Every string of the parsed body is then cleaned once (journey.text_input):
no U+0000 or other control characters, no lone surrogates, so no later step (the database,
a log, a card) fails on what the person typed.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from botbuilder.schema import Activity

from bot.wire import from_wire
from journey.text_input import MAX_DEPTH, TooDeep, clean_value

REQUIRED_FIELDS = ("type", "serviceUrl", "conversation", "from")

# A JSON string: quote, then anything but quote or backslash, or a backslash and one more.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPENING, _CLOSING = b"[{", b"]}"
# Opening brackets become +1, closing ones -1 (as signed bytes), everything else is deleted.
_STEPS = bytes.maketrans(_OPENING + _CLOSING, b"\x01\x01\xff\xff")
_NOT_BRACKET = bytes(set(range(256)) - set(_OPENING + _CLOSING))


# What cleaning removes can only come from an escape: JSON allows no raw control character in
# a string, and UTF-8 holds no surrogate. So a body without escapes of a C0 control character
# (\b, \f, \u0000-\u001f) or a surrogate (\ud800-\udfff) is clean as it is; one with an
# escaped backslash before such letters is cleaned anyway, which changes nothing.
_MAY_NEED_CLEANING = re.compile(r"\\(?:[bf]|u00[01]|u[dD][89a-fA-F])")


class BodyRefused(ValueError):
    """The body is not an activity this bot can read; the message says why (answer 400)."""


def nesting_depth(raw: bytes) -> int:
    """How deep the JSON in `raw` nests ([] and {} outside strings), without parsing it."""
    steps = _JSON_STRING.sub(b"", raw).translate(_STEPS, _NOT_BRACKET)
    return max(accumulate(memoryview(steps).cast("b")), default=0)


def load_body(raw: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON in `raw` with every string cleaned; BodyRefused if it is not UTF-8, not
    JSON, or nests deeper than `max_depth`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused("the body is not UTF-8") from None
    if nesting_depth(raw) > max_depth:
        raise BodyRefused(f"the body nests deeper than {max_depth} levels")
    try:
        body = json.loads(text)
        if _MAY_NEED_CLEANING.search(text) is None:
            return body  # no string of it can hold what cleaning removes
        return clean_value(body, max_depth=max_depth)
    except TooDeep:
        raise BodyRefused(f"the body nests deeper than {max_depth} levels") from None
    except ValueError:  # JSONDecodeError, and ints longer than Python converts
        raise BodyRefused("the body is not valid JSON") from None


def parse_activity(body: object) -> Activity:
    """An Activity from a parsed request body, or BodyRefused saying what is missing."""
    if not isinstance(body, dict):
        raise BodyRefused("the body must be a JSON object")
    missing = [name for name in REQUIRED_FIELDS if not body.get(name)]
    if missing:
        raise BodyRefused(f"the activity lacks {', '.join(missing)}")
    if not isinstance(body["conversation"], dict) or not body["conversation"].get("id"):
        raise BodyRefused("the activity lacks conversation.id")
    if not isinstance(body["from"], dict) or not body["from"].get("id"):
        raise BodyRefused("the activity lacks from.id")
    try:
        return from_wire(Activity, body)
    except Exception as exc:  # msrest raises its own DeserializationError family
        raise BodyRefused("the activity does not follow the Bot Framework schema") from exc


def read_activity(raw: bytes) -> Activity:
    """The activity in a request body, bounded and cleaned; BodyRefused if it is none."""
    return parse_activity(load_body(raw))
