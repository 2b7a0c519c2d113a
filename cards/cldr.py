"""Dates and numbers as CLDR writes them in the four languages of the cards (da, sv, nb, en).

The names of months and weekdays and the number symbols below are CLDR's (release 49, as
Babel 2.19 ships it), written out once as literal tables: the service carries a few tuples
instead of Babel's locale data (about 8 MB resident). tests/cards/test_cldr.py checks with
Babel, where it is installed, that every date and number written here is written as Babel
writes it.

A date pattern is a small part of CLDR's (LDML) syntax: `d` the day of the month, `MMMM` and
`MMM` the month's name, wide and abbreviated, `EEEE` the weekday's name, `y` the year;
anything else is text. A number is rounded as Babel rounds it: its shortest decimal form
(`str`), to the nearest, a half to the even digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

# The months' names as a date writes them (CLDR's "format" context), January first. The
# stand-alone wide names are the same in all four languages.
MONTHS: dict[str, tuple[str, ...]] = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"),  # noqa: E501
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"),  # noqa: E501
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"),  # noqa: E501
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),  # noqa: E501
}  # fmt: skip
MONTHS_SHORT: dict[str, tuple[str, ...]] = {
    "da": ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),  # noqa: E501
    "sv": ("jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec."),  # noqa: E501
    "nb": ("jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des."),  # noqa: E501
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}  # fmt: skip
# Abbreviated on their own (a calendar's heading, not in a date): only Norwegian differs.
MONTHS_SHORT_STAND_ALONE: dict[str, tuple[str, ...]] = {
    **MONTHS_SHORT,
    "nb": ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"),
}
# The weekdays' names, Monday first (as `date.weekday()` counts).
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


@dataclass(frozen=True)
class NumberSymbols:
    """How one language writes a number: CLDR's symbols and its percent pattern's ending."""

    decimal: str  # between the whole and the fraction
    group: str  # between thousands (only a percentage is grouped, as its pattern "#,##0 %")
    percent: str  # after a percentage: a no-break space and "%" in da, sv and nb


NUMBERS: dict[str, NumberSymbols] = {
    "da": NumberSymbols(",", ".", "\u00a0%"),
    "sv": NumberSymbols(",", "\u00a0", "\u00a0%"),
    "nb": NumberSymbols(",", "\u00a0", "\u00a0%"),
    "en": NumberSymbols(".", ",", "%"),
}
# Before a negative number. CLDR's minus sign is U+2212 in sv and nb, but Babel writes the
# pattern's own hyphen-minus in every language, and the cards have always shown Babel's.
MINUS = "-"

_FIELD = re.compile(r"([A-Za-z])\1*")
_FIELDS = frozenset({"d", "MMM", "MMMM", "EEEE", "y"})


@lru_cache(maxsize=32)
def _template(pattern: str) -> str:
    """A date pattern as a `str.format` template: "d. MMMM y" → "{d}. {MMMM} {y}"."""
    if "'" in pattern or "{" in pattern or "}" in pattern:
        raise ValueError(f"date pattern {pattern!r}: quotes and braces are not written here")

    def field(match: re.Match[str]) -> str:
        if match.group() not in _FIELDS:
            raise ValueError(f"date pattern {pattern!r}: no field {match.group()!r} here")
        return "{" + match.group() + "}"

    return _FIELD.sub(field, pattern)


def written_date(value: date, pattern: str, lang: str) -> str:
    """`value` (a date, or a datetime's date) written by a CLDR date pattern in `lang`,
    e.g. ("d. MMMM y", "da") → "22. december 2026"."""
    return _template(pattern).format(
        d=value.day,
        y=value.year,
        MMMM=MONTHS[lang][value.month - 1],
        MMM=MONTHS_SHORT[lang][value.month - 1],
        EEEE=WEEKDAYS[lang][value.weekday()],
    )


def _rounded(value: Decimal, places: int) -> tuple[str, str]:
    """The sign (a zero that was negative keeps it, as with Babel) and the digits of `value`
    rounded to `places` decimals, e.g. "12.3"."""
    sign = MINUS if value.is_signed() else ""
    return sign, f"{abs(value).quantize(Decimal(1).scaleb(-places)):f}"


def written_percent(share: float, lang: str) -> str:
    """A share (0.42) as a whole percentage, CLDR's default pattern: "42 %", "42%" in English."""
    sign, digits = _rounded(Decimal(str(share)).scaleb(2), 0)
    symbols = NUMBERS[lang]
    return f"{sign}{int(digits):,}".replace(",", symbols.group) + symbols.percent


def written_number(value: float, lang: str, places: int = 0) -> str:
    """A number with `places` decimals and no grouping, as the patterns "0" and "0.0" write
    it: "3,5" ("3.5" in English), "1234"."""
    sign, digits = _rounded(Decimal(str(value)), places)
    return sign + digits.replace(".", NUMBERS[lang].decimal)
