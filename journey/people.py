"""People, calendars and the Teams app as the domain sees them: models, ports and errors."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar, Literal, Protocol, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

UnreachableReason = Literal["blocked", "not_found", "no_calendar"]


class PersonNotReachable(LookupError):
    """The person cannot be reached: unknown, the app is blocked for them, or no calendar."""

    def __init__(self, reason: UnreachableReason, person: str | None = None) -> None:
        super().__init__(f"person not reachable: {reason}")
        self.reason: UnreachableReason = reason
        self.person = person


class DirectoryUnavailable(RuntimeError):
    """The directory or calendar service failed or gave an answer we cannot use; try later."""


class Person(BaseModel):
    """Someone in the directory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str  # the Entra ID (AAD) object id
    upn: str
    display_name: str
    mail: str | None = None
    preferred_language: str | None = None  # as the directory spells it, e.g. "da-DK"
    time_zone: str | None = None  # IANA name when the source knows it
    # The Teams user id (29:...), when the source knows it; Teams also takes the object id to
    # open a chat, an emulator (Agents Playground) only its own user ids.
    teams_user_id: str | None = None

    @field_validator("upn")
    @classmethod
    def _lower_upn(cls, value: str) -> str:
        return value.strip().lower()


class TimeSpan(BaseModel):
    """A stretch of time held in UTC, half-open [start, end), that ends after it starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # What a refusal says; each kind of span words its own.
    naive_error: ClassVar[str] = "a time span needs timezone-aware date-times"
    unordered_error: ClassVar[str] = "a time span must end after it starts"

    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(cls.naive_error)
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError(self.unordered_error)
        return self


class BusyInterval(TimeSpan):
    """A stretch of time in which a person cannot meet; held in UTC, half-open [start, end)."""

    naive_error = "a naive date-time; busy times and slots must be timezone-aware"
    unordered_error = "a busy interval must end after it starts"

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) shares any time with this interval; touching ends do not."""
        return self.start < end and start < self.end


class OffHours(BusyInterval):
    """Time outside a person's own working hours: busy for a conversation, not a meeting."""


class WorkingHours(BaseModel):
    """When a person works, as their calendar says (part-time staff): weekdays, hours, zone.

    Days are `date.weekday()` numbers (Monday is 0); start and end are wall-clock times in
    `time_zone` (an IANA name). Without it, a person works the unit's hours.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: frozenset[int]
    start: time
    end: time
    time_zone: str

    @model_validator(mode="after")
    def _sensible(self) -> Self:
        if self.end <= self.start:
            raise ValueError("working hours must end after they start")
        if not self.days <= set(range(7)):
            raise ValueError("working days are numbers 0 (Monday) to 6 (Sunday)")
        ZoneInfo(self.time_zone)
        return self

    def off_hours(self, start: datetime, end: datetime) -> list[OffHours]:
        """The time between `start` and `end` outside these working hours, in time order."""
        zone = ZoneInfo(self.time_zone)
        day = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        off: list[OffHours] = []
        cursor = start
        while day <= last and cursor < end:
            if day.weekday() in self.days:
                begin = datetime.combine(day, self.start, tzinfo=zone)
                finish = datetime.combine(day, self.end, tzinfo=zone)
                if cursor < min(begin, end):
                    off.append(OffHours(start=cursor, end=min(begin, end)))
                cursor = max(cursor, finish)
            day += timedelta(days=1)
        if cursor < end:
            off.append(OffHours(start=cursor, end=end))
        return off


class CreatedMeeting(BaseModel):
    """What the calendar gives back for a booked exit conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str
    join_url: str | None = None  # the Teams join link; absent when the tenant has no Teams
    web_link: str | None = None  # opens the event in Outlook on the web


class InstallResult(StrEnum):
    """Outcome of making sure the bot is installed for a person."""

    INSTALLED = "installed"
    ALREADY_INSTALLED = "already_installed"


class Directory(Protocol):
    async def find_person(self, email_or_upn: str) -> Person | None:
        """The person with this UPN, mail address or object id; None when nobody matches."""
        ...

    async def manager_of(self, upn: str) -> Person | None:
        """The person's manager; None when they have none or are unknown."""
        ...


class GroupMembership(Protocol):
    async def is_member(self, person: str, group_id: str) -> bool:
        """Whether the person (object id or UPN) is in the Entra ID group, directly or not."""
        ...


class TimeZones(Protocol):
    async def time_zone_of(self, person_id: str) -> str | None:
        """The person's own time zone (IANA name), when the source knows one."""
        ...


class Calendar(Protocol):
    async def busy_times(
        self, upns: list[str], start: datetime, end: datetime
    ) -> dict[str, list[BusyInterval]]:
        """Busy intervals per UPN (keys as given) between start and end.

        Time outside a person's own working hours (when the calendar knows them) comes as
        `OffHours`; "working elsewhere" is not busy.
        """
        ...

    async def create_meeting(
        self,
        organizer_upn: str,
        attendee_upns: list[str],
        subject: str,
        body_html: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        *,
        location: str | None = None,
    ) -> CreatedMeeting:
        """Book a Teams meeting in the organizer's calendar and invite the attendees; with
        `location`, a meeting in person there, without a Teams link."""
        ...

    async def cancel_meeting(self, organizer_upn: str, event_id: str) -> None:
        """Cancel a booked meeting; the attendees are told. A meeting already gone is fine."""
        ...


class TeamsInstaller(Protocol):
    async def ensure_installed_for(self, user_id: str) -> InstallResult:
        """Install the bot in the person's Teams so it can write to them first."""
        ...

    async def chat_id_for(self, user_id: str) -> str | None:
        """The id of the one-to-one chat between the person and the bot; None if not installed."""
        ...
