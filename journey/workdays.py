"""Working days and hours of a unit: weekdays it works, minus its closed days, in its zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from journey.closed_days import ClosedDays

# Far enough to cross any run of holidays a unit can configure, short enough to stop a loop.
_MAX_DAYS_SEARCHED = 400


@dataclass(frozen=True)
class WorkingTime:
    """When a unit works: which weekdays (Monday is 0), which hours, and its closed days.

    `closed` holds the country's public holidays and HR's closed days and half days;
    `holidays` more whole days off (what a test or a caller adds on its own).
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Copenhagen"))
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    hours: tuple[time, time] = (time(8), time(16))
    holidays: frozenset[date] = frozenset()
    closed: ClosedDays = field(default_factory=ClosedDays)

    def is_working_day(self, day: date) -> bool:
        """A working weekday with some working hours left (a half day counts)."""
        return self.hours_on(day) is not None

    def hours_on(self, day: date) -> tuple[time, time] | None:
        """The working hours on `day` (shorter on a half day); None on a day off."""
        if day.weekday() not in self.working_days or day in self.holidays:
            return None
        return self.closed.hours_on(day, self.hours)

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it, if negative)."""
        step = 1 if count >= 0 else -1
        left = abs(count)
        current = day
        for _ in range(_MAX_DAYS_SEARCHED):
            if left == 0:
                return current
            current += timedelta(days=step)
            if self.is_working_day(current):
                left -= 1
        raise ValueError("no working days found; check the unit's working days and closed days")

    def on_or_before(self, day: date) -> date:
        """`day` if it is a working day, else the working day before it."""
        return day if self.is_working_day(day) else self.add_working_days(day, -1)

    def start_of(self, day: date) -> datetime:
        """The start of the working hours on `day`, on the unit's wall clock (aware)."""
        return datetime.combine(day, self.hours[0], tzinfo=self.zone)

    def end_of(self, day: date) -> datetime:
        """The end of the working hours on `day` (earlier on a half day), on the wall clock."""
        hours = self.hours_on(day) or self.hours
        return datetime.combine(day, hours[1], tzinfo=self.zone)

    def local_day(self, moment: datetime) -> date:
        """The date on the unit's wall clock at `moment`."""
        return moment.astimezone(self.zone).date()

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` if it falls within working hours on a working day, else the next start."""
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day):
            if local < self.start_of(day):
                return self.start_of(day)
            if local < self.end_of(day):
                return moment
        return self.start_of(self.add_working_days(day, 1))
