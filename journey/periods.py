"""Calendar months and periods of whole months: the time a report of journey.insights covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
