"""Pointing a misspelling at what was probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(value: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?`, or the known values when there are few."""
    known = sorted(known)
    if hint := did_you_mean(value, known):
        return hint
    if not known:
        return "; none are defined"
    return f"; known: {', '.join(known)}" if len(known) <= 12 else ""


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` when a known value is close, else nothing."""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
