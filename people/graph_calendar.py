"""Free/busy and Teams meetings in Outlook calendars through Microsoft Graph."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journey.people import BusyInterval, CreatedMeeting, DirectoryUnavailable, PersonNotReachable
from people import working_hours
from people.graph_client import GraphClient, GraphResponse, segment, user_path

# getSchedule answers for at most 20 mailboxes and a period under 42 days per call.
_MAX_SCHEDULES = 20
_MAX_PERIOD = timedelta(days=40)
_VIEW_INTERVAL_MINUTES = 15
# Schedule item statuses that leave the person free for a conversation: working elsewhere
# (at home, at another site) still takes a Teams call.
_NOT_BUSY = ("free", "workingelsewhere")

# Graph takes Windows zone names and only a short list of IANA names, which lacks the
# Nordic ones; these are the Windows names for the zones the product serves.
_WINDOWS_ZONES = {
    "Europe/Copenhagen": "Romance Standard Time",
    "Europe/Stockholm": "W. Europe Standard Time",
    "Europe/Oslo": "W. Europe Standard Time",
    "Europe/Berlin": "W. Europe Standard Time",
    "Europe/Helsinki": "FLE Standard Time",
    "Europe/London": "GMT Standard Time",
    "Atlantic/Reykjavik": "Greenwich Standard Time",
    "UTC": "UTC",
    "Etc/UTC": "UTC",
}


class GraphCalendar:
    """Implements journey.people.Calendar with getSchedule and events (Calendars.ReadWrite)."""

    def __init__(self, client: GraphClient) -> None:
        self._client = client

    async def busy_times(
        self, upns: list[str], start: datetime, end: datetime
    ) -> dict[str, list[BusyInterval]]:
        """Busy intervals per UPN: schedule items neither `free` nor `workingElsewhere`, and
        the time outside the person's own `workingHours` (as OffHours)."""
        result: dict[str, list[BusyInterval]] = {upn: [] for upn in upns}
        if not upns or end <= start:
            return result
        for chunk in _chunks(upns, _MAX_SCHEDULES):
            for period_start, period_end in _periods(start, end):
                response = await self._client.request(
                    "POST",
                    f"{user_path(chunk[0])}/calendar/getSchedule",
                    json={
                        "schedules": chunk,
                        "startTime": _utc_stamp(period_start),
                        "endTime": _utc_stamp(period_end),
                        "availabilityViewInterval": _VIEW_INTERVAL_MINUTES,
                    },
                )
                if response.status == 404:
                    raise PersonNotReachable("not_found", chunk[0])
                if not response.ok:
                    raise response.unexpected("reading free/busy times")
                period = (period_start, period_end)
                for upn, intervals in _parse_schedules(response, chunk, period):
                    result[upn].extend(intervals)
        for intervals in result.values():
            intervals.sort(key=lambda interval: interval.start)
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
        """Create the event with a Teams meeting in the organizer's calendar; invites go out.

        With `location` the event is held in person there: no Teams meeting is attached.
        """
        organizer = organizer_upn.strip().lower()
        attendees = [
            {"emailAddress": {"address": upn}, "type": "required"}
            for upn in dict.fromkeys(a.strip().lower() for a in attendee_upns)
            if upn != organizer
        ]
        response = await self._client.request(
            "POST",
            f"{user_path(organizer_upn)}/events",
            json={
                "subject": subject,
                "body": {"contentType": "HTML", "content": body_html},
                "start": _zoned_stamp(start, time_zone),
                "end": _zoned_stamp(end, time_zone),
                "attendees": attendees,
                **_where(location),
                # Proposals in Outlook would bypass the bot, which tracks the booking.
                "allowNewTimeProposals": False,
                # Lets Graph drop a duplicate when a retry repeats a POST that did arrive.
                "transactionId": str(uuid.uuid4()),
            },
        )
        if response.status == 404:
            raise PersonNotReachable("not_found", organizer_upn)
        if response.status == 403:
            raise PersonNotReachable("no_calendar", organizer_upn)
        if not response.ok or not isinstance(response.body, dict) or "id" not in response.body:
            raise response.unexpected("creating the meeting")
        online = response.body.get("onlineMeeting") or {}
        return CreatedMeeting(
            event_id=response.body["id"],
            join_url=online.get("joinUrl") if isinstance(online, dict) else None,
            web_link=response.body.get("webLink"),
        )

    async def cancel_meeting(self, organizer_upn: str, event_id: str) -> None:
        """Cancel the event so attendees get a cancellation; an event already gone is fine."""
        response = await self._client.request(
            "POST", f"{user_path(organizer_upn)}/events/{segment(event_id)}/cancel", json={}
        )
        if response.ok or response.status == 404:
            return
        raise response.unexpected("cancelling the meeting")


def _where(location: str | None) -> dict[str, Any]:
    """A Teams meeting, or a meeting in person at `location` (Graph's event.location)."""
    if location is None:
        return {"isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness"}
    return {"isOnlineMeeting": False, "location": {"displayName": location}}


def graph_time_zone(iana: str) -> str | None:
    """The zone name Graph accepts for an IANA zone we know, else None."""
    return _WINDOWS_ZONES.get(iana)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _periods(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    cursor = start
    while cursor < end:
        stop = min(end, cursor + _MAX_PERIOD)
        yield cursor, stop
        cursor = stop


def _utc_stamp(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _zoned_stamp(moment: datetime, iana: str) -> dict[str, str]:
    windows = graph_time_zone(iana)
    if windows is None:
        return _utc_stamp(moment)
    wall = moment.astimezone(ZoneInfo(iana))
    return {"dateTime": wall.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": windows}


def _parse_schedules(
    response: GraphResponse, asked: list[str], period: tuple[datetime, datetime]
) -> Iterator[tuple[str, list[BusyInterval]]]:
    values = response.body.get("value") if isinstance(response.body, dict) else None
    if not isinstance(values, list):
        raise response.unexpected("free/busy without schedules")
    by_key = {upn.strip().lower(): upn for upn in asked}
    seen: set[str] = set()
    for info in values:
        upn = by_key.get(str(info.get("scheduleId", "")).strip().lower())
        if upn is None:
            continue
        seen.add(upn)
        error = info.get("error")
        if error:
            code = str(error.get("responseCode", "")) if isinstance(error, dict) else ""
            reason = "not_found" if "NotFound" in code else "no_calendar"
            raise PersonNotReachable(reason, upn)
        hours = working_hours.from_graph(info.get("workingHours"))
        off: list[BusyInterval] = list(hours.off_hours(*period)) if hours else []
        if isinstance(info.get("scheduleItems"), list):
            yield (
                upn,
                [
                    _interval(item)
                    for item in info["scheduleItems"]
                    if str(item.get("status", "")).lower() not in _NOT_BUSY
                ]
                + off,
            )
        else:
            yield upn, [*_from_view(str(info.get("availabilityView", "")), period[0]), *off]
    missing = [upn for upn in asked if upn not in seen]
    if missing:
        raise PersonNotReachable("not_found", missing[0])


def _interval(item: dict[str, Any]) -> BusyInterval:
    try:
        return BusyInterval(start=_moment(item["start"]), end=_moment(item["end"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise DirectoryUnavailable("Microsoft Graph sent a schedule item we cannot read") from exc


def _moment(stamp: dict[str, str]) -> datetime:
    # Without a `Prefer: outlook.timezone` header Graph answers in UTC.
    zone_name = stamp.get("timeZone") or "UTC"
    try:
        zone = UTC if zone_name.upper() == "UTC" else ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unexpected time zone {zone_name!r}") from exc
    return datetime.fromisoformat(stamp["dateTime"]).replace(tzinfo=zone)


def _from_view(view: str, period_start: datetime) -> Iterator[BusyInterval]:
    """Busy stretches from an availabilityView ('0' free, '4' working elsewhere: not busy;
    1-3 tentative, busy, away)."""
    step = timedelta(minutes=_VIEW_INTERVAL_MINUTES)
    for index, mark in enumerate(view):
        if mark not in "04":
            start = period_start + index * step
            yield BusyInterval(start=start, end=start + step)
