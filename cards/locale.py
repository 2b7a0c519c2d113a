"""What a journey card needs of a language: HR's texts, and dates and times in its words.

One date style per language (`DATE_STYLES`), used by every card: the day with its year
("22. december 2026", "22 December 2026"), a meeting's time ("tirsdag 24. nov. kl. 10.00–11.00",
"Tuesday 24 November 10:00–11:00") and a moment ("22. december 2026 kl. 09.30"). Danish,
Swedish and Norwegian write times with "kl." and a full stop, as their language councils
advise; English is written the British way, day before month. CLDR names the days and months
(cards.cldr); the patterns are ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cards.base import typed
from cards.cldr import written_date
from journey.locale import language_of

if TYPE_CHECKING:
    from config.loaded import LoadedConfig


def _clock(moment: datetime, separator: str) -> str:
    """A time of day as strftime's `%H{separator}%M` writes it, without strftime's cost."""
    return f"{moment.hour:02d}{separator}{moment.minute:02d}"


@dataclass(frozen=True)
class DateStyle:
    """How one language writes dates and times on a card."""

    date: str  # CLDR pattern (cards.cldr): a date with its year, e.g. a last working day
    day: str  # CLDR pattern: weekday, day and month, as in a calendar
    clock: str  # between the hours and minutes of a time of day ("." or ":")
    at: str  # before a time ("kl. ")
    date_and_time: str  # between a date and its time in a moment

    def written_date(self, value: date, lang: str) -> str:
        return written_date(value, self.date, lang)

    def written_span(self, start: datetime, end: datetime, lang: str) -> str:
        day = written_date(start, self.day, lang)
        return f"{day} {self.at}{_clock(start, self.clock)}–{_clock(end, self.clock)}"

    def written_moment(self, moment: datetime, lang: str) -> str:
        day = self.written_date(moment.date(), lang)
        return f"{day}{self.date_and_time}{self.at}{_clock(moment, self.clock)}"


DATE_STYLES: dict[str, DateStyle] = {
    "da": DateStyle("d. MMMM y", "EEEE d. MMM", ".", "kl. ", " "),
    "sv": DateStyle("d MMMM y", "EEEE d MMM", ".", "kl. ", " "),
    "nb": DateStyle("d. MMMM y", "EEEE d. MMM", ".", "kl. ", " "),
    "en": DateStyle("d MMMM y", "EEEE d MMMM", ":", "", " at "),
}


# Placeholders that carry what a person typed or a directory holds (names, an e-mail, HR's
# search): escaped for markdown by `Speaker.__call__`. The others are the bot's own (dates,
# counts, HR's texts).
PERSON_PARAMS = frozenset({"name", "interviewer", "colleague", "previous", "email", "search"})


@dataclass(frozen=True)
class Speaker:
    """HR's texts in one person's language (a unit's own wording first), and dates for them."""

    config: LoadedConfig
    locale: str | None
    unit: str | None = None

    @cached_property
    def lang(self) -> str:
        """The card's `lang`: the supported language, two letters."""
        return language_of(self.locale)

    @cached_property
    def _phrases(self) -> Mapping[str, str]:
        # The reader's texts, looked up once per speaker (config.texts.TextBook keeps them).
        return self.config.texts.phrases(self.locale, self.unit)

    def _template(self, key: str) -> str:
        # Not among the reader's texts (or empty): the book says which key is unknown.
        return self.config.texts.template(key, self.locale, self.unit)

    def __call__(self, key: str, **params: Any) -> str:
        """The text `key` with its placeholders filled in, for a TextBlock, a fact or a
        message (markdown): what a person typed (PERSON_PARAMS) is escaped by `typed`."""
        if params and not PERSON_PARAMS.isdisjoint(params):
            params = {
                name: typed(value) if name in PERSON_PARAMS and isinstance(value, str) else value
                for name, value in params.items()
            }
        return (self._phrases.get(key) or self._template(key)).format_map(params)

    def plain(self, key: str, **params: Any) -> str:
        """The text `key` for where Teams shows text as written (a button's title, a field's
        label, a `literal` TextRun): the placeholders as they are."""
        return (self._phrases.get(key) or self._template(key)).format_map(params)

    def day(self, value: date) -> str:
        """A date with its year, e.g. "3. november 2026", "3 November 2026"."""
        return DATE_STYLES[self.lang].written_date(value, self.lang)

    def span(self, start: datetime, end: datetime, zone: ZoneInfo) -> str:
        """A meeting time on the wall clock of `zone`, e.g. "tirsdag 3. nov. kl. 10.00–11.00"."""
        style = DATE_STYLES[self.lang]
        return style.written_span(start.astimezone(zone), end.astimezone(zone), self.lang)

    def moment(self, moment: datetime, zone: ZoneInfo) -> str:
        """When something happened: "3. november 2026 kl. 09.30", "3 November 2026 at 09:30"."""
        return DATE_STYLES[self.lang].written_moment(moment.astimezone(zone), self.lang)
