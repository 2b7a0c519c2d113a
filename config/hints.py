"""Pointing a misspelling at what was probably meant.

A hint compares the value with every known one (difflib), so a file with thousands of
misspellings among thousands of ids would take time that grows with the square of its size.
`limited_hints` gives one check a budget of comparisons: once it is spent, mistakes are still
told, without a "did you mean" (a real file's few misspellings spend a small part of it).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Comparisons left in the running check; None outside `limited_hints` (no limit).
_left: ContextVar[list[int] | None] = ContextVar("hints_left", default=None)

# About a second of difflib: some 150 hints among the ~330 text keys.
COMPARISONS_PER_CHECK = 50_000


@contextmanager
def limited_hints(budget: int = COMPARISONS_PER_CHECK) -> Iterator[None]:
    """At most `budget` comparisons of a value with a known one while the block runs."""
    token = _left.set([budget])
    try:
        yield
    finally:
        _left.reset(token)


def _spend(comparisons: int) -> bool:
    left = _left.get()
    if left is None:
        return True
    if left[0] < comparisons:
        return False
    left[0] -= comparisons
    return True


def suggest(value: str, known: Collection[str]) -> str:
    """`; did you mean 'x'?`, or the known values when there are few."""
    if hint := did_you_mean(value, known):
        return hint
    if not known:
        return "; none are defined"
    return f"; known: {', '.join(sorted(known))}" if len(known) <= 12 else ""


def did_you_mean(value: str, known: Collection[str], *, besides: str | None = None) -> str:
    """`; did you mean 'x'?` when a known value (other than `besides`) is close, else nothing."""
    if not known or not _spend(len(known)):
        return ""
    candidates = [k for k in known if k != besides] if besides is not None else list(known)
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
