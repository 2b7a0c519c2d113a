"""Text as it arrives from outside (Teams, HR's API): cleaned once, at the edge.

JSON may carry characters no database or log can hold: U+0000 (PostgreSQL refuses it in
text), other C0 control characters, and lone UTF-16 surrogates (``"\\ud800"`` decodes to a
``str`` that cannot be encoded as UTF-8). Nothing the person typed is lost by cleaning: the
control characters are dropped, a surrogate pair split by a client is joined again, and a
lone surrogate becomes U+FFFD (the replacement character). Pure and framework-free.
"""

from __future__ import annotations

import re
from typing import Any

# JSON nesting no real activity or API body comes near (Teams activities nest about 8 deep).
MAX_DEPTH = 64

REPLACEMENT = "\ufffd"

# C0 control characters except tab, line feed and carriage return; and any surrogate code point.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class TooDeep(ValueError):
    """The value nests deeper than MAX_DEPTH; nothing of it was used."""


def _join_pair(match: re.Match[str]) -> str:
    high, low = match.group()
    return chr(0x10000 + ((ord(high) - 0xD800) << 10) + (ord(low) - 0xDC00))


def clean_text(text: str) -> str:
    """The text without C0 control characters (tab, line breaks kept) and without lone
    surrogates (each becomes U+FFFD; a split pair is joined). Text that needs nothing is
    returned as it is."""
    if _UNWANTED.search(text) is None:
        return text
    text = _CONTROL.sub("", text)
    text = _PAIR.sub(_join_pair, text)
    return _SURROGATE.sub(REPLACEMENT, text)


def clean_value(value: Any, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parsed JSON (dicts, lists, strings, numbers) with every string cleaned, keys too.

    TooDeep if it nests deeper than max_depth; the walk never goes further than that."""
    return _clean(value, max_depth)


def _clean(value: Any, depth_left: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        if depth_left <= 0:
            raise TooDeep("nested too deep")
        return {
            (clean_text(key) if isinstance(key, str) else key): _clean(item, depth_left - 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        if depth_left <= 0:
            raise TooDeep("nested too deep")
        return [_clean(item, depth_left - 1) for item in value]
    return value
