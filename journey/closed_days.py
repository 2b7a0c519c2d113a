"""The days a unit holds no conversations: its country's public holidays and HR's own days.

Public holidays come from the `holidays` package, asked lazily for each year a question
touches (and kept per country, subdivision, categories and year). HR adds its own closed days
(24 December, say) and half days (closed from 12:00 on Grundlovsdag) as `DayRule`s.

The package is imported at its first question, not with this module, and only the calendars
of the countries asked about (journey.holiday_calendars): neither the service's start nor a
turn that proposes no time needs it. The usual days of the four countries in the years near
now are written down (journey.holiday_table), so the usual service never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from typing import TYPE_CHECKING

from journey.holiday_calendars import country_calendar
from journey.holiday_table import usual_holidays

if TYPE_CHECKING:
    from holidays import HolidayBase

# The countries whose calendars the product knows.
COUNTRIES = ("DK", "SE", "NO", "FI")
# A closing time of midnight: closed the whole day.
WHOLE_DAY = time(0)


def usual_categories(country: str) -> tuple[str, ...]:
    """The `holidays` categories that are days off in practice in `country`.

    Sweden's midsommarafton, julafton and nyårsafton are no public holidays by law, but the
    Annual Leave Act treats them as Sundays and workplaces close: the package lists them as
    "de_facto". Elsewhere the public holidays are the days off (Finland's include juhannusaatto
    and jouluaatto).
    """
    return ("public", "de_facto") if country == "SE" else ("public",)


def _calendar(country: str, **options: object) -> HolidayBase:
    """The `holidays` package's calendar of `country` (the package imported on first use)."""
    return country_calendar(country, **options)


def categories_of(country: str) -> tuple[str, ...]:
    """Every category the `holidays` package offers for `country`."""
    return tuple(_calendar(country).supported_categories)


def subdivisions_of(country: str) -> tuple[str, ...]:
    """The subdivisions (regions, counties) the `holidays` package knows for `country`."""
    return tuple(_calendar(country).subdivisions)


@lru_cache(maxsize=512)
def public_holidays(
    country: str, subdivision: str | None, categories: tuple[str, ...], year: int
) -> frozenset[date]:
    """The country's holidays of these categories in `year`."""
    if subdivision is None and categories == usual_categories(country):
        written = usual_holidays(country, year)  # the package's days, without its import
        if written is not None:
            return written
    found = _calendar(country, subdiv=subdivision, years=year, categories=categories)
    return frozenset(found.keys())


@dataclass(frozen=True)
class DayRule:
    """One of HR's closed days: a date, or a month and day every year; whole, or from a time."""

    month: int
    day: int
    year: int | None = None  # None: every year
    closes_at: time = WHOLE_DAY  # WHOLE_DAY: closed all day, else closed from this time

    def matches(self, day: date) -> bool:
        return (
            day.month == self.month
            and day.day == self.day
            and (self.year is None or day.year == self.year)
        )


@dataclass(frozen=True)
class ClosedDays:
    """The public holidays of a country (None: none) and HR's own closed days and half days."""

    country: str | None = None
    subdivision: str | None = None
    categories: tuple[str, ...] | None = None  # None: usual_categories(country)
    own: tuple[DayRule, ...] = ()

    def closes_at(self, day: date) -> time | None:
        """When work stops on `day`: WHOLE_DAY when closed all day, None when open all day.

        Of a public holiday and HR's rules for the same day, the earliest closing wins.
        """
        closing = [rule.closes_at for rule in self.own if rule.matches(day)]
        if self.country is not None:
            categories = self.categories or usual_categories(self.country)
            if day in public_holidays(self.country, self.subdivision, categories, day.year):
                closing.append(WHOLE_DAY)
        return min(closing, default=None)

    def is_closed(self, day: date) -> bool:
        """Closed the whole day."""
        return self.closes_at(day) == WHOLE_DAY

    def hours_on(self, day: date, hours: tuple[time, time]) -> tuple[time, time] | None:
        """The working `hours` left on `day`; None when nothing of them is left."""
        closing = self.closes_at(day)
        end = hours[1] if closing is None else min(hours[1], closing)
        return (hours[0], end) if hours[0] < end else None
