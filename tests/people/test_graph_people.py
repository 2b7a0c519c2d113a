"""The Graph adapters against the loopback stand-in: what they send and how they read answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journey.people import BusyInterval, InstallResult, OffHours, PersonNotReachable
from people.graph_calendar import GraphCalendar
from people.graph_client import GraphClient
from people.graph_directory import GraphDirectory
from people.graph_teams import GraphTeamsInstaller
from tests.people.graph_standin import GraphStandIn

APP_ID = "a1b2c3d4-0000-4000-8000-0000000000aa"


async def test_find_person_reads_the_user_with_the_fields_the_bot_needs(
    client: GraphClient, standin: GraphStandIn
) -> None:
    person = await GraphDirectory(client).find_person("Leaver@contoso.example")
    assert person is not None
    assert person.upn == "leaver@contoso.example"
    assert person.display_name == "Sofie Andersen"
    assert person.preferred_language == "da-DK"
    assert person.id == standin.users["leaver@contoso.example"]["id"]
    (request,) = standin.requests
    assert request.path == "/v1.0/users/Leaver@contoso.example"
    assert request.query["$select"] == "id,displayName,userPrincipalName,mail,preferredLanguage"


async def test_an_unknown_user_is_none_and_the_404_is_not_retried(
    client: GraphClient, standin: GraphStandIn
) -> None:
    assert await GraphDirectory(client).find_person("nobody") is None
    assert len(standin.requests) == 1


async def test_a_mail_address_that_is_not_the_upn_is_found_by_mail(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.add_user("s12345@contoso.example", "Ole Berg", mail="ole.berg@contoso.example")
    person = await GraphDirectory(client).find_person("ole.berg@contoso.example")
    assert person is not None and person.upn == "s12345@contoso.example"
    assert standin.requests[-1].query["$filter"] == "mail eq 'ole.berg@contoso.example'"
    assert await GraphDirectory(client).find_person("gone@contoso.example") is None


async def test_manager_lookup(client: GraphClient, standin: GraphStandIn) -> None:
    directory = GraphDirectory(client)
    manager = await directory.manager_of("leaver@contoso.example")
    assert manager is not None and manager.upn == "manager@contoso.example"
    assert standin.requests[-1].path == "/v1.0/users/leaver@contoso.example/manager"
    assert await directory.manager_of("hr@contoso.example") is None


async def test_get_schedule_is_read_into_busy_intervals(
    client: GraphClient, standin: GraphStandIn
) -> None:
    day = datetime(2026, 11, 3, tzinfo=UTC)
    standin.add_busy("leaver@contoso.example", day.replace(hour=8), day.replace(hour=9))
    standin.add_busy("leaver@contoso.example", day.replace(hour=10), day.replace(hour=11), "free")
    standin.add_busy(
        "leaver@contoso.example", day.replace(hour=12), day.replace(hour=13), "tentative"
    )
    standin.add_busy("manager@contoso.example", day.replace(hour=9), day.replace(hour=10), "oof")
    standin.add_busy(
        "manager@contoso.example",
        day.replace(hour=13),
        day.replace(hour=14),
        "workingElsewhere",
    )

    busy = await GraphCalendar(client).busy_times(
        ["leaver@contoso.example", "manager@contoso.example"], day, day + timedelta(days=1)
    )

    def hours(intervals: list[BusyInterval]) -> list[tuple[int, int]]:
        items = [interval for interval in intervals if not isinstance(interval, OffHours)]
        return [(interval.start.hour, interval.end.hour) for interval in items]

    # "free" and "working elsewhere" items do not block; tentative and away do.
    assert hours(busy["leaver@contoso.example"]) == [(8, 9), (12, 13)]
    assert hours(busy["manager@contoso.example"]) == [(9, 10)]
    assert all(i.start.tzinfo == UTC for i in busy["leaver@contoso.example"])

    (request,) = standin.requests
    assert request.method == "POST"
    assert request.path == "/v1.0/users/leaver@contoso.example/calendar/getSchedule"
    assert request.body == {
        "schedules": ["leaver@contoso.example", "manager@contoso.example"],
        "startTime": {"dateTime": "2026-11-03T00:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2026-11-04T00:00:00", "timeZone": "UTC"},
        "availabilityViewInterval": 15,
    }


async def test_a_long_period_is_asked_in_pieces_graph_accepts(
    client: GraphClient, standin: GraphStandIn
) -> None:
    start = datetime(2026, 11, 2, tzinfo=UTC)
    late = start + timedelta(days=50, hours=9)
    standin.add_busy("leaver@contoso.example", late, late + timedelta(hours=1))
    busy = await GraphCalendar(client).busy_times(
        ["leaver@contoso.example"], start, start + timedelta(days=60)
    )
    items = [i for i in busy["leaver@contoso.example"] if not isinstance(i, OffHours)]
    assert [interval.start for interval in items] == [late]
    periods = [
        (request.body["startTime"]["dateTime"], request.body["endTime"]["dateTime"])
        for request in standin.requests
    ]
    assert periods == [
        ("2026-11-02T00:00:00", "2026-12-12T00:00:00"),
        ("2026-12-12T00:00:00", "2027-01-01T00:00:00"),
    ]


async def test_outside_a_part_timers_outlook_working_hours_they_are_busy(
    client: GraphClient, standin: GraphStandIn
) -> None:
    # Mads works Monday to Wednesday, 08:00-15:00 Copenhagen time (Outlook's Windows zone).
    standin.set_working_hours(
        "manager@contoso.example", ["monday", "tuesday", "wednesday"], "08:00", "15:00"
    )
    wednesday = datetime(2026, 11, 4, tzinfo=UTC)
    busy = await GraphCalendar(client).busy_times(
        ["manager@contoso.example", "leaver@contoso.example"],
        wednesday,
        wednesday + timedelta(days=2),
    )
    # 08:00-15:00 in Copenhagen is 07:00-14:00 UTC in November; Thursday is off entirely.
    assert [(i.start, i.end) for i in busy["manager@contoso.example"]] == [
        (wednesday, wednesday.replace(hour=7)),
        (wednesday.replace(hour=14), wednesday + timedelta(days=2)),
    ]
    assert all(isinstance(i, OffHours) for i in busy["manager@contoso.example"])
    # Sofie has Outlook's default, Monday to Friday 08:00-17:00: she is free Thursday morning.
    thursday_morning = datetime(2026, 11, 5, 8, tzinfo=UTC)
    assert not any(
        i.overlaps(thursday_morning, thursday_morning + timedelta(hours=1))
        for i in busy["leaver@contoso.example"]
    )


async def test_an_availability_view_without_items_counts_working_elsewhere_as_free(
    client: GraphClient, standin: GraphStandIn
) -> None:
    # Graph may answer with the view alone: one mark per 15 minutes from the period's start.
    standin.view_only.add("leaver@contoso.example")
    day = datetime(2026, 11, 3, 8, tzinfo=UTC)
    quarter = timedelta(minutes=15)
    standin.add_busy("leaver@contoso.example", day + quarter, day + 2 * quarter)
    standin.add_busy(
        "leaver@contoso.example", day + 2 * quarter, day + 4 * quarter, "workingElsewhere"
    )
    busy = await GraphCalendar(client).busy_times(
        ["leaver@contoso.example"], day, day + timedelta(hours=1)
    )
    assert [(i.start, i.end) for i in busy["leaver@contoso.example"]] == [
        (day + quarter, day + 2 * quarter)
    ]


async def test_working_hours_in_a_zone_we_cannot_place_fall_back_to_the_units(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.set_working_hours(
        "manager@contoso.example", ["monday"], "08:00", "09:00", zone="Customized Time Zone"
    )
    day = datetime(2026, 11, 3, tzinfo=UTC)
    busy = await GraphCalendar(client).busy_times(
        ["manager@contoso.example"], day, day + timedelta(days=1)
    )
    assert busy["manager@contoso.example"] == []


async def test_free_busy_for_an_unknown_mailbox_says_who(
    client: GraphClient, standin: GraphStandIn
) -> None:
    day = datetime(2026, 11, 3, tzinfo=UTC)
    with pytest.raises(PersonNotReachable) as caught:
        await GraphCalendar(client).busy_times(
            ["leaver@contoso.example", "gone@contoso.example"], day, day + timedelta(days=1)
        )
    assert caught.value.reason == "not_found"
    assert caught.value.person == "gone@contoso.example"


async def test_the_event_is_a_teams_meeting_with_both_invited_and_the_join_url_comes_back(
    client: GraphClient, standin: GraphStandIn
) -> None:
    start = datetime(2026, 10, 26, 9, tzinfo=UTC)  # 10:00 in Copenhagen, after the DST change
    meeting = await GraphCalendar(client).create_meeting(
        "manager@contoso.example",
        ["leaver@contoso.example", "manager@contoso.example"],
        "Fratrædelsessamtale",
        "<p>Tak fordi du vil tale med os.</p>",
        start,
        start + timedelta(hours=1),
        "Europe/Copenhagen",
    )
    (request,) = standin.requests
    assert request.path == "/v1.0/users/manager@contoso.example/events"
    sent = request.body
    assert sent["isOnlineMeeting"] is True
    assert sent["onlineMeetingProvider"] == "teamsForBusiness"
    assert sent["subject"] == "Fratrædelsessamtale"
    assert sent["body"] == {
        "contentType": "HTML",
        "content": "<p>Tak fordi du vil tale med os.</p>",
    }
    # The organizer is not invited to their own meeting.
    assert sent["attendees"] == [
        {"emailAddress": {"address": "leaver@contoso.example"}, "type": "required"}
    ]
    # Wall-clock time in the Windows zone Graph knows Copenhagen by.
    assert sent["start"] == {"dateTime": "2026-10-26T10:00:00", "timeZone": "Romance Standard Time"}
    assert sent["end"] == {"dateTime": "2026-10-26T11:00:00", "timeZone": "Romance Standard Time"}
    assert sent["transactionId"]

    event = standin.events[meeting.event_id]
    assert meeting.join_url == event["onlineMeeting"]["joinUrl"]
    assert meeting.join_url is not None
    assert meeting.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert meeting.web_link == event["webLink"]


async def test_a_zone_graph_does_not_know_is_sent_in_utc(
    client: GraphClient, standin: GraphStandIn
) -> None:
    start = datetime(2026, 11, 9, 19, tzinfo=UTC)
    await GraphCalendar(client).create_meeting(
        "manager@contoso.example",
        ["leaver@contoso.example"],
        "Exit",
        "<p>x</p>",
        start,
        start + timedelta(hours=1),
        "Pacific/Chatham",
    )
    assert standin.requests[0].body["start"] == {
        "dateTime": "2026-11-09T19:00:00",
        "timeZone": "UTC",
    }


async def test_cancelling_tells_graph_and_a_meeting_already_gone_is_fine(
    client: GraphClient, standin: GraphStandIn
) -> None:
    calendar = GraphCalendar(client)
    start = datetime(2026, 11, 3, 9, tzinfo=UTC)
    meeting = await calendar.create_meeting(
        "manager@contoso.example",
        ["leaver@contoso.example"],
        "Exit",
        "<p>x</p>",
        start,
        start + timedelta(hours=1),
        "Europe/Copenhagen",
    )
    await calendar.cancel_meeting("manager@contoso.example", meeting.event_id)
    assert meeting.event_id not in standin.events
    assert standin.requests[-1].path.endswith(f"/events/{meeting.event_id}/cancel")
    await calendar.cancel_meeting("manager@contoso.example", meeting.event_id)  # no error


async def test_install_then_409_counts_as_installed_and_the_chat_is_found(
    client: GraphClient, standin: GraphStandIn
) -> None:
    teams = GraphTeamsInstaller(client, APP_ID)
    user_id = standin.users["leaver@contoso.example"]["id"]
    assert await teams.chat_id_for(user_id) is None

    assert await teams.ensure_installed_for(user_id) == InstallResult.INSTALLED
    assert await teams.ensure_installed_for(user_id) == InstallResult.ALREADY_INSTALLED
    install_requests = [r for r in standin.requests if r.method == "POST"]
    assert len(install_requests) == 2, "409 is an answer, not something to retry"
    assert install_requests[0].path == f"/v1.0/users/{user_id}/teamwork/installedApps"
    assert install_requests[0].body == {
        "teamsApp@odata.bind": f"{client.base_url}/appCatalogs/teamsApps/{APP_ID}"
    }

    chat_id = await teams.chat_id_for(user_id)
    assert chat_id == f"19:{user_id}_{APP_ID}@unq.gbl.spaces"
    listing = standin.requests_to("/teamwork/installedApps")[-2]
    assert listing.query == {"$expand": "teamsApp", "$filter": f"teamsApp/id eq '{APP_ID}'"}


@pytest.mark.parametrize(("status", "reason"), [(403, "blocked"), (404, "not_found")])
async def test_install_refused_means_not_reachable_and_is_not_retried(
    client: GraphClient, standin: GraphStandIn, status: int, reason: str
) -> None:
    standin.answer_next(status, path_contains="/teamwork/installedApps")
    with pytest.raises(PersonNotReachable) as caught:
        await GraphTeamsInstaller(client, APP_ID).ensure_installed_for("some-user-id")
    assert caught.value.reason == reason
    assert len(standin.requests) == 1
