"""A conversation in person through Graph: the event has the place and no Teams meeting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from journey.access import Asker
from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus
from journey.meeting_modes import MeetingModes
from people.graph_calendar import GraphCalendar
from people.graph_client import GraphClient
from testkit.fakes import FakeAuditLog, FakeDepartureRepository
from tests.people.graph_standin import GraphStandIn


async def test_an_event_in_person_has_the_place_and_no_online_meeting(
    client: GraphClient, standin: GraphStandIn
) -> None:
    start = datetime(2026, 11, 24, 9, tzinfo=UTC)
    meeting = await GraphCalendar(client).create_meeting(
        "manager@contoso.example",
        ["leaver@contoso.example"],
        "Fratrædelsessamtale",
        "<p>Tak fordi du vil tale med os.</p>",
        start,
        start + timedelta(hours=1),
        "Europe/Copenhagen",
        location="Mødelokale 2, Rådhuset",
    )

    (request,) = standin.requests
    sent = request.body
    assert sent["isOnlineMeeting"] is False
    assert "onlineMeetingProvider" not in sent
    assert sent["location"] == {"displayName": "Mødelokale 2, Rådhuset"}
    event = standin.events[meeting.event_id]
    assert event["location"]["displayName"] == "Mødelokale 2, Rådhuset"
    assert event["isOnlineMeeting"] is False and event["onlineMeeting"] is None
    # No link to join: the leaver's card shows the place instead.
    assert meeting.join_url is None


async def test_a_booked_teams_meeting_moved_in_person_is_a_new_event_without_teams(
    client: GraphClient, standin: GraphStandIn
) -> None:
    """journey.meeting_modes on Graph: the Teams event is cancelled, the place is invited."""
    calendar = GraphCalendar(client)
    now = datetime(2026, 11, 23, 8, tzinfo=UTC)
    start = now + timedelta(days=1, hours=1)
    teams = await calendar.create_meeting(
        "manager@contoso.example",
        ["leaver@contoso.example"],
        "Exit",
        "<p>x</p>",
        start,
        start + timedelta(hours=1),
        "Europe/Copenhagen",
    )
    departures = FakeDepartureRepository(FixedClock(now))
    booked = await departures.add(
        Departure(
            leaver_upn="leaver@contoso.example",
            manager_upn="manager@contoso.example",
            unit="social-care",
            last_working_day=date(2026, 12, 18),
            status=DepartureStatus.BOOKED,
            interviewer_upn="manager@contoso.example",
            meeting_start=start,
            meeting_end=start + timedelta(hours=1),
            meeting_event_id=teams.event_id,
            meeting_join_url=teams.join_url,
        )
    )
    modes = MeetingModes(
        departures=departures,
        calendar=calendar,
        audit=FakeAuditLog(),
        clock=FixedClock(now),
        notifier=_Quiet(),
        minutes=lambda _unit: 60,
        replan=_nothing,
    )

    saved = await modes.hold_in_person(MANAGER, booked.id, "Mødelokale 2")

    assert list(standin.events) == [saved.meeting_event_id]  # the Teams event is cancelled
    event = standin.events[saved.meeting_event_id]
    assert event["location"] == {"displayName": "Mødelokale 2"}
    assert event["isOnlineMeeting"] is False and event["onlineMeeting"] is None
    assert (event["start"], event["end"]) == (
        {"dateTime": "2026-11-24T10:00:00", "timeZone": "Romance Standard Time"},
        {"dateTime": "2026-11-24T11:00:00", "timeZone": "Romance Standard Time"},
    )
    assert [a["emailAddress"]["address"] for a in event["attendees"]] == ["leaver@contoso.example"]
    assert saved.meeting_join_url is None


MANAGER = Asker(user_id="29:manager", upn="manager@contoso.example")


async def _nothing(_departure_id: str) -> None:
    return None


class _Quiet:
    """Tells nobody: only the calendar matters here."""

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        return "Exit", "<p>In person</p>"

    async def task_changed(self, departure: Departure) -> None: ...

    async def booked(self, departure: Departure) -> None: ...

    async def meeting_changed(self, departure: Departure) -> None: ...

    async def held(self, departure: Departure) -> None: ...

    async def short_notice(self, departure: Departure) -> None: ...
