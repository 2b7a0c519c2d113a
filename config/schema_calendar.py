"""A unit's calendar in HR's YAML: country, working hours and days, and its own closed days.

Public holidays are not listed here: they come from the `holidays` package for the unit's
`country` (and `subdivision`); `closed_days` adds the organisation's own days off and half
days (journey.closed_days).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from config.hints import suggest
from config.schema_base import (
    WEEKDAYS,
    HourMinute,
    NonEmpty,
    Strict,
    TimeZone,
    Weekday,
    _unique,
)
from journey.closed_days import (
    COUNTRIES,
    WHOLE_DAY,
    ClosedDays,
    DayRule,
    categories_of,
    subdivisions_of,
    usual_categories,
)

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
# Any leap year: "02-29" is a day that exists (in leap years).
_LEAP_YEAR = 2000


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise ValueError(
            f"{value!r} is not a country with a calendar here; use one of {', '.join(COUNTRIES)}"
        )
    return code


Country = Annotated[str, AfterValidator(_country)]


def _day(value: Any) -> Any:
    """A YAML date stays a date; "MM-DD" (every year) and "YYYY-MM-DD" are read from text."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if match := _MONTH_DAY.fullmatch(text):
        month, day = int(match[1]), int(match[2])
        try:
            date(_LEAP_YEAR, month, day)
        except ValueError:
            raise ValueError(f"{text!r} is not a day of the year (MM-DD)") from None
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a day: use MM-DD for every year (12-24) or YYYY-MM-DD for one date"
        ) from None


Day = Annotated[date | str, BeforeValidator(_day)]


class ClosedDay(Strict):
    """One of the organisation's own days off: every year (MM-DD) or once (YYYY-MM-DD).

    Written as just the day (`"12-24"`), or as `{day: "06-05", closes_at: "12:00"}` for a
    half day: open in the morning, no conversation ends after the closing time.
    """

    day: Day
    closes_at: HourMinute | None = None
    name: NonEmpty | None = None  # a note for whoever reads the file

    @model_validator(mode="before")
    @classmethod
    def _just_the_day(cls, data: Any) -> Any:
        return data if isinstance(data, dict) else {"day": data}

    def rule(self) -> DayRule:
        """The domain's rule for this day."""
        closes = time.fromisoformat(self.closes_at) if self.closes_at else WHOLE_DAY
        if isinstance(self.day, date):
            return DayRule(self.day.month, self.day.day, self.day.year, closes)
        month, day = (int(part) for part in self.day.split("-"))
        return DayRule(month, day, None, closes)


class WorkingHours(Strict):
    """The span of a working day in which a conversation may be booked."""

    start: HourMinute
    end: HourMinute

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"the working day must end after it starts ({start})")
        return end

    @property
    def span(self) -> tuple[time, time]:
        """Start and end as times of day."""
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


def _holidays_moved(value: Any) -> Any:
    raise ValueError(
        "`holidays` is replaced: public holidays now come from `country` (and `subdivision`); "
        'list your own days off under `closed_days` (e.g. "12-24")'
    )


class Calendar(Strict):
    """When conversations can be booked: the country's holidays, hours, days and own days off."""

    country: Country = "DK"
    subdivision: NonEmpty | None = None
    # The `holidays` package's categories; left out: the days off in practice (usual_categories).
    holiday_categories: Annotated[list[NonEmpty], AfterValidator(_unique)] | None = None
    closed_days: list[ClosedDay] = Field(default_factory=list)
    time_zone: TimeZone = "Europe/Copenhagen"
    working_hours: WorkingHours = WorkingHours(start="08:00", end="16:00")
    working_days: Annotated[list[Weekday], AfterValidator(_unique)] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]), min_length=1
    )
    # Until issue 11 a list of dates; it is refused with a message that says what replaced it.
    holidays: Annotated[Any, AfterValidator(_holidays_moved)] = Field(None, exclude=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def weekday_numbers(self) -> frozenset[int]:
        """Working days as `date.weekday()` numbers (Monday is 0)."""
        return frozenset(WEEKDAYS.index(day) for day in self.working_days)

    def closed(self) -> ClosedDays:
        """The domain's closed days: the country's holidays and the organisation's own."""
        return ClosedDays(
            country=self.country,
            subdivision=self.subdivision,
            categories=tuple(self.holiday_categories) if self.holiday_categories else None,
            own=tuple(day.rule() for day in self.closed_days),
        )

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Mistakes in the settings in force (a unit may inherit the country, not the rest)."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        # The `holidays` package is asked only about what is written (importing it costs).
        subdivisions = subdivisions_of(self.country) if self.subdivision is not None else ()
        if self.subdivision is not None and self.subdivision not in subdivisions:
            known = suggest(self.subdivision, subdivisions) if subdivisions else "; it has none"
            found.append(
                (
                    ("calendar", "subdivision"),
                    f"{self.country} has no subdivision {self.subdivision!r}{known}",
                )
            )
        categories = categories_of(self.country) if self.holiday_categories else ()
        for n, category in enumerate(self.holiday_categories or []):
            if category not in categories:
                found.append(
                    (
                        ("calendar", "holiday_categories", n),
                        f"{self.country} has no holiday category {category!r}"
                        f"{suggest(category, categories)} (usual: "
                        f"{', '.join(usual_categories(self.country))})",
                    )
                )
        return found
