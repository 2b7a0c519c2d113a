"""A conversation in person through Graph: the event has the place and no Teams meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from people.graph_calendar import GraphCalendar
from people.graph_client import GraphClient
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
