"""A person's own working hours: as Microsoft Graph's getSchedule reports them, or as the
local people file (config/demo/people.yaml) gives them."""

from __future__ import annotations

from datetime import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from journey.people import WorkingHours
from people.windows_zones import iana_zone

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def from_graph(info: Any) -> WorkingHours | None:
    """`workingHours` of a scheduleInformation; None when absent or not usable.

    Graph writes `{"daysOfWeek": ["monday", ...], "startTime": "08:00:00.0000000",
    "endTime": "16:00:00.0000000", "timeZone": {"name": "Romance Standard Time"}}`. A zone we
    cannot place (a "Customized Time Zone") or hours past midnight leave the person on the
    unit's working hours, rather than guessing.
    """
    if not isinstance(info, dict):
        return None
    zone = info.get("timeZone")
    name = zone.get("name") if isinstance(zone, dict) else None
    iana = iana_zone(name if isinstance(name, str) else None)
    days = info.get("daysOfWeek")
    if iana is None or not isinstance(days, list):
        return None
    try:
        return WorkingHours(
            days=frozenset(_WEEKDAYS.index(str(day).lower()) for day in days),
            start=_clock(info.get("startTime")),
            end=_clock(info.get("endTime")),
            time_zone=iana,
        )
    except (ValueError, ValidationError):
        return None


def _clock(value: Any) -> time:
    """`08:00:00.0000000` (seven decimals, as Graph writes it) as a time of day."""
    if not isinstance(value, str):
        raise ValueError("not a time of day")
    return time.fromisoformat(value[:8])


class LocalWorkingHours(BaseModel):
    """`working_hours` in the people file: `{days: [monday, ...], from: "08:00", to: "16:00"}`,
    on the wall clock of the person's `time_zone`."""

    model_config = ConfigDict(extra="forbid")

    days: list[
        Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    ] = Field(min_length=1)
    from_: time = Field(alias="from")
    to: time

    @model_validator(mode="after")
    def _ordered(self) -> LocalWorkingHours:
        if self.to <= self.from_:
            raise ValueError("`to` must be after `from`")
        return self

    def in_zone(self, time_zone: str) -> WorkingHours:
        """The domain's working hours in the person's zone."""
        return WorkingHours(
            days=frozenset(_WEEKDAYS.index(day) for day in self.days),
            start=self.from_,
            end=self.to,
            time_zone=time_zone,
        )
