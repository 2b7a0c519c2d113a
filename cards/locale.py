"""What a journey card needs of a language: HR's texts, and dates and times written out by Babel.

Dates follow the reader's language and the departure's time zone, e.g. Danish
"tirsdag 3. nov. 10:00–11:00", Swedish "tisdag 3 nov. 10:00–11:00". Babel knows the names of
days and months; the patterns are ours, one per supported language, so that every card writes
a time the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from journey.locale import language_of

if TYPE_CHECKING:
    from config.loaded import LoadedConfig

# Weekday, day and short month: what people write in a calendar.
_DAY_PATTERNS = {
    "da": "EEEE d. MMM",
    "sv": "EEEE d MMM",
    "nb": "EEEE d. MMM",
    "en": "EEEE d MMMM",
}
# A last working day: the date in full, with the year.
_DATE_PATTERNS = {
    "da": "d. MMMM y",
    "sv": "d MMMM y",
    "nb": "d. MMMM y",
    "en": "d MMMM y",
}


@dataclass(frozen=True)
class Speaker:
    """HR's texts in one person's language (a unit's own wording first), and dates for them."""

    config: LoadedConfig
    locale: str | None
    unit: str | None = None

    @property
    def lang(self) -> str:
        """The card's `lang`: the supported language, two letters."""
        return language_of(self.locale)

    def __call__(self, key: str, **params: Any) -> str:
        """The text `key` with its placeholders filled in."""
        return self.config.text(key, self.locale, unit=self.unit, **params)

    def day(self, value: date) -> str:
        """A date with its year, e.g. "3. november 2026"."""
        return format_date(value, _DATE_PATTERNS[self.lang], locale=self.lang)

    def span(self, start: datetime, end: datetime, zone: ZoneInfo) -> str:
        """A meeting time on the wall clock of `zone`, e.g. "tirsdag 3. nov. 10:00–11:00"."""
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        day = format_date(local_start.date(), _DAY_PATTERNS[self.lang], locale=self.lang)
        return f"{day} {local_start:%H:%M}–{local_end:%H:%M}"
