"""Calendar months, periods of whole months, and the calendar tiles insights are shown for.

Insights are shown only for whole calendar tiles of one length (quarters, half-years or years,
HR's `insights.period`) that are over: two periods a person can ask for are then the same or
share no leaver, so no difference between two views narrows a figure down to a few months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, the finest time a report shows."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"{self.year:04d}-{self.month:02d} is not a month as YYYY-MM")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM`; ValueError otherwise."""
        year, dash, month = text.strip().partition("-")
        if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
            raise ValueError(f"{text!r} is not a month as YYYY-MM")
        return cls(int(year), int(month))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """How many months `other` is before this one."""
        return (self.year - other.year) * 12 + self.month - other.month

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.plus(1).first_day.toordinal() - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    """Whole months from `first` to `last`, both included."""

    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @classmethod
    def last_months(cls, count: int, today: date) -> Period:
        """The `count` months up to and including the current one."""
        now = Month.of(today)
        return cls(now.plus(1 - count), now)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(Month(year, 1), Month(year, 12))

    @property
    def length(self) -> int:
        return self.last.minus(self.first) + 1

    def months(self) -> list[Month]:
        return [self.first.plus(i) for i in range(self.length)]

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.first.plus(-self.length), self.first.plus(-1))

    def __contains__(self, month: object) -> bool:
        return isinstance(month, Month) and self.first <= month <= self.last


class Tiling(StrEnum):
    """The one length of the calendar tiles insights are shown for."""

    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"quarter": 3, "half_year": 6, "year": 12}[self.value]

    def tile_of(self, month: Month) -> Period:
        """The tile `month` falls in."""
        first = Month(month.year, (month.month - 1) // self.months * self.months + 1)
        return Period(first, first.plus(self.months - 1))

    def holds(self, period: Period) -> bool:
        """Whether `period` is exactly one tile."""
        return period == self.tile_of(period.first)

    def settled(self, today: date, settle_days: int, count: int) -> list[Period]:
        """The newest `count` tiles, newest first, that ended more than `settle_days` ago.

        A tile still going on (or whose cases may still change: answers sent after the last
        working day, until a case closes) grows between two looks, and the difference would
        be the newest leavers.
        """
        tile = self.tile_of(Month.of(today))
        while tile.last.last_day + timedelta(days=settle_days) >= today:
            tile = tile.previous()
        tiles = [tile]
        while len(tiles) < count:
            tiles.append(tiles[-1].previous())
        return tiles


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative: back), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
