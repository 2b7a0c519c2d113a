"""Cells of the files HR opens in a spreadsheet (CSV and Excel): text, never a formula.

A cell that begins with = + - @ (or a tab or carriage return, OWASP's CSV injection list, and
the full-width forms some spreadsheets read the same) would be run as a formula by Excel or
LibreOffice: `=HYPERLINK(...)` in a name or a label sends whoever opens the file elsewhere.
Such text gets a leading apostrophe, the spreadsheets' own mark for "this is text". Every
exported cell goes through `export_cell`; numbers and dates stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

C = TypeVar("C")


def export_cell(value: C) -> C:
    """`value` as written to an exported file: text that looks like a formula defused."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"  # type: ignore[return-value]  # still a str
    return value


def export_row(values: Iterable[C]) -> list[C]:
    """Every cell of a row through `export_cell`."""
    return [export_cell(value) for value in values]
