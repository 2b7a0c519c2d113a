"""People, calendars and Teams from a YAML file, for running without Azure.

It stands in for Entra ID's leave dates too (journey.leave_dates.LeaveDateSource): a person's
`leave_date` (a date) or `leave_in_days` (days after the day the bot started, in the person's
zone), with `department` and `attributes` ({companyName: ..., employeeType: ...}) as Graph
names them. The file does not change while the bot runs, so a delta round finds nothing new.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from journey.leave_dates import Changes, EntraUser, ResyncNeeded
from journey.people import (
    BusyInterval,
    CreatedMeeting,
    InstallResult,
    Person,
    PersonNotReachable,
)
from people.people_file import (
    PeopleFile,
    PersonEntry,
    load_people_file,
)


class LocalMeeting(BaseModel):
    """A meeting booked in the local calendar."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str
    organizer: str
    attendees: tuple[str, ...]
    subject: str
    start: datetime
    end: datetime
    time_zone: str
    join_url: str | None  # None for a meeting in person
    web_link: str
    location: str | None = None  # where it is held in person


class LocalDirectory:
    """Implements Directory, Calendar, TeamsInstaller and LeaveDateSource over the people file,
    in memory.

    Relative busy entries (`in_days`) count from `now`'s date in each person's zone. Booked
    meetings are kept in memory and make organizer and attendees busy; the app counts as
    installed for everyone in the file.
    """

    def __init__(self, data: PeopleFile, *, now: datetime) -> None:
        self._entries = {entry.upn: entry for entry in data.people}
        # Every key a person is found by (UPN, mail, object id, Teams user id), the first
        # person in the file winning a key; and each person as the domain sees them.
        self._by_key: dict[str, PersonEntry] = {}
        for entry in data.people:
            for key in (entry.upn, entry.mail, entry.id, entry.teams_user_id or ""):
                if key is not None:
                    self._by_key.setdefault(key.lower(), entry)
        self._persons = {entry.upn: entry.person() for entry in data.people}
        self._now = now
        self._meetings: dict[str, LocalMeeting] = {}

    @classmethod
    def from_file(cls, path: Path, *, now: datetime) -> LocalDirectory:
        """Load and validate the people file; raises LocalDirectoryError with positions."""
        return cls(load_people_file(path), now=now)

    @property
    def people(self) -> list[Person]:
        return list(self._persons.values())

    @property
    def meetings(self) -> list[LocalMeeting]:
        """Meetings booked and not cancelled, in time order."""
        return sorted(self._meetings.values(), key=lambda meeting: meeting.start)

    async def find_person(self, email_or_upn: str) -> Person | None:
        """The person with this UPN, mail, object id or Teams user id."""
        entry = self._entry(email_or_upn)
        return self._persons[entry.upn] if entry else None

    async def manager_of(self, upn: str) -> Person | None:
        """The person's manager from the file."""
        entry = self._entry(upn)
        if entry is None or entry.manager is None:
            return None
        return self._persons[entry.manager]

    async def is_member(self, person: str, group_id: str) -> bool:
        """Whether the file lists the group for this person."""
        entry = self._entry(person)
        wanted = group_id.strip().lower()
        return entry is not None and any(g.strip().lower() == wanted for g in entry.groups)

    async def busy_times(
        self, upns: list[str], start: datetime, end: datetime
    ) -> dict[str, list[BusyInterval]]:
        """The file's busy entries plus booked meetings, per UPN as given; with the person's
        `working_hours`, the time outside them too (as OffHours)."""
        result: dict[str, list[BusyInterval]] = {}
        for upn in upns:
            entry = self._entry(upn)
            if entry is None:
                raise PersonNotReachable("not_found", upn)
            intervals = [
                interval
                for interval in self._recurring(entry, start, end)
                if interval.overlaps(start, end)
            ]
            intervals += [
                BusyInterval(start=meeting.start, end=meeting.end)
                for meeting in self._meetings.values()
                if entry.upn in (meeting.organizer, *meeting.attendees)
                and meeting.start < end
                and start < meeting.end
            ]
            if entry.working_hours is not None:
                intervals += entry.working_hours.in_zone(entry.time_zone).off_hours(start, end)
            result[upn] = sorted(intervals, key=lambda interval: interval.start)
        return result

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
        """Record the meeting; it blocks the slot for everyone in it from now on. With
        `location`, in person there: no Teams link."""
        organizer = self._known(organizer_upn)
        invited = (self._known(upn).upn for upn in attendee_upns)
        attendees = tuple(dict.fromkeys(upn for upn in invited if upn != organizer.upn))
        event_id = f"local-{uuid.uuid4().hex}"
        meeting = LocalMeeting(
            event_id=event_id,
            organizer=organizer.upn,
            attendees=attendees,
            subject=subject,
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            time_zone=time_zone,
            join_url=None if location else f"https://teams.microsoft.com/l/meetup-join/{event_id}",
            web_link=f"https://outlook.office.com/calendar/item/{event_id}",
            location=location,
        )
        self._meetings[event_id] = meeting
        return CreatedMeeting(
            event_id=event_id, join_url=meeting.join_url, web_link=meeting.web_link
        )

    async def cancel_meeting(self, organizer_upn: str, event_id: str) -> None:
        """Drop the meeting so its time is free again; unknown ids are fine."""
        meeting = self._meetings.get(event_id)
        if meeting is not None and meeting.organizer == organizer_upn.strip().lower():
            del self._meetings[event_id]

    async def ensure_installed_for(self, user_id: str) -> InstallResult:
        """Everyone in the file has the app."""
        self._known(user_id)
        return InstallResult.ALREADY_INSTALLED

    async def chat_id_for(self, user_id: str) -> str | None:
        """The chat id the file gives, if any."""
        return self._known(user_id).chat_id

    async def start_delta(self, attributes: tuple[str, ...]) -> str:
        """A link for now: the file does not change, so it only names the directory."""
        return self._delta_link

    async def with_leave_dates(
        self, first_day: date, attributes: tuple[str, ...]
    ) -> list[EntraUser]:
        """Everyone in the file whose leave date is on or after `first_day`."""
        found = []
        for entry in self._entries.values():
            day = entry.leave_day(self._now)
            if day is not None and day >= first_day:
                found.append(_entra_user(entry, day, attributes))
        return found

    async def changes(self, delta_link: str) -> Changes:
        """Nothing changes in a file read once; a link from elsewhere (Graph's) asks for a
        full read."""
        if delta_link != self._delta_link:
            raise ResyncNeeded("not a link of this local directory")
        return Changes(users=[], delta_link=self._delta_link)

    @property
    def _delta_link(self) -> str:
        """`local:<digest>` of everyone's leave date and attributes: a file edited between
        two runs gives another link, so the next check reads it whole."""
        state = sorted(
            (entry.id, entry.upn, str(entry.leave_day(self._now)), entry.entra_attributes())
            for entry in self._entries.values()
        )
        return "local:" + hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]

    def _entry(self, key: str) -> PersonEntry | None:
        return self._by_key.get(key.strip().lower())

    def _known(self, key: str) -> PersonEntry:
        entry = self._entry(key)
        if entry is None:
            raise PersonNotReachable("not_found", key)
        return entry

    def _recurring(
        self, entry: PersonEntry, start: datetime, end: datetime
    ) -> Iterator[BusyInterval]:
        zone = ZoneInfo(entry.time_zone)
        loaded_on = self._now.astimezone(zone).date()
        day = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        while day <= last:
            for busy in entry.busy:
                if busy.applies_to(day, loaded_on):
                    begin = datetime.combine(day, busy.from_ or time(0), tzinfo=zone)
                    if busy.to is not None:
                        finish = datetime.combine(day, busy.to, tzinfo=zone)
                    else:
                        finish = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                    yield BusyInterval(start=begin, end=finish)
            day += timedelta(days=1)


def _entra_user(entry: PersonEntry, day: date, attributes: Sequence[str]) -> EntraUser:
    found: Mapping[str, str] = entry.entra_attributes()
    return EntraUser(
        id=entry.id,
        upn=entry.upn,
        display_name=entry.name,
        mail=entry.mail or entry.upn,
        preferred_language=entry.language,
        leave_date=day,
        attributes={name: found[name] for name in attributes if name in found},
    )
