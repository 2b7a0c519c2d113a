"""The leaver's own time zone from their mailbox settings, Windows names included."""

from __future__ import annotations

import pytest

from journey.people import DirectoryUnavailable
from people.graph_client import GraphClient
from people.graph_directory import GraphDirectory
from people.windows_zones import iana_zone
from tests.people.graph_standin import GraphStandIn


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("Romance Standard Time", "Europe/Paris"),  # what Outlook stores for Copenhagen
        ("W. Europe Standard Time", "Europe/Berlin"),  # ... and for Stockholm and Oslo
        ("Europe/Oslo", "Europe/Oslo"),  # a tenant set up with IANA names
        ("Mars Standard Time", None),
        ("", None),
    ],
)
def test_windows_and_iana_names(stored: str, expected: str | None) -> None:
    assert iana_zone(stored) == expected


async def test_the_mailbox_time_zone_is_read_as_an_iana_name(
    client: GraphClient, standin: GraphStandIn
) -> None:
    sofie = standin.users["leaver@contoso.example"]
    standin.time_zones[sofie["id"]] = "W. Europe Standard Time"
    assert await GraphDirectory(client).time_zone_of(sofie["id"]) == "Europe/Berlin"
    [request] = standin.requests_to("/mailboxSettings/timeZone")
    assert request.path == f"/v1.0/users/{sofie['id']}/mailboxSettings/timeZone"


async def test_no_mailbox_or_no_permission_is_no_zone(
    client: GraphClient, standin: GraphStandIn
) -> None:
    sofie = standin.users["leaver@contoso.example"]
    directory = GraphDirectory(client)
    assert await directory.time_zone_of(sofie["id"]) is None  # no mailbox: 404
    standin.time_zones[sofie["id"]] = "Romance Standard Time"
    standin.answer_next(403, path_contains="mailboxSettings")  # MailboxSettings.Read missing
    assert await directory.time_zone_of(sofie["id"]) is None


async def test_graph_failing_is_an_error_for_the_caller_to_weigh(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.answer_next(500, times=10, path_contains="mailboxSettings")
    with pytest.raises(DirectoryUnavailable):
        await GraphDirectory(client).time_zone_of("leaver@contoso.example")
