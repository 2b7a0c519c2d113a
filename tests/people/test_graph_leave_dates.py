"""Leave dates from Entra ID through the real GraphClient and the Graph stand-in on loopback:
the `$filter` read across pages, delta rounds, resync, permissions, throttling, and links
that point elsewhere."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from journey.leave_dates import EntraUser, LeaveDatesNotAllowed, ResyncNeeded
from journey.people import DirectoryUnavailable
from people.graph_client import GraphClient
from people.graph_leave_dates import GraphLeaveDates, leave_date_of
from tests.people.graph_standin import GraphStandIn, serving
from tests.people.helpers import FAST_RETRY, CountingCredential, leave_dates_on

FIRST_DAY = date(2027, 1, 1)
ATTRIBUTES = ("companyName", "department")


def tenant() -> GraphStandIn:
    graph = GraphStandIn()
    graph.add_user("manager@contoso.example", "Mads Nielsen", language="da-DK")
    graph.add_user(
        "sofie@contoso.example",
        "Sofie Andersen",
        language="da-DK",
        manager="manager@contoso.example",
        leave_date=date(2027, 1, 31),
        department="Hjemmeplejen",
        attributes={"companyName": "Aarhus Kommune", "employeeType": "Employee"},
    )
    graph.add_user(
        "erik@contoso.example",
        "Erik Lindqvist",
        language="sv-SE",
        leave_date=date(2027, 2, 14),
        department="Kultur og Fritid",
    )
    graph.add_user(
        "gone@contoso.example", "Left Already", leave_date=date(2026, 12, 31), department="X"
    )
    graph.add_user("stays@contoso.example", "Stays On", department="Hjemmeplejen")
    return graph


def by_upn(users: list[EntraUser]) -> dict[str, EntraUser]:
    return {user.upn: user for user in users}


# --- the first read: every leave date ahead ------------------------------------------------


async def test_5000_users_with_300_leave_dates_are_read_whole_across_pages() -> None:
    graph = GraphStandIn(max_page_size=50)
    leavers = graph.add_staff(
        5000, leavers=300, first_leave_day=FIRST_DAY, departments=("Hjemmeplejen", "Teknik")
    )
    graph.add_user("past@contoso.example", "Past", leave_date=FIRST_DAY - timedelta(days=1))
    async with leave_dates_on(graph) as source:
        users = await source.with_leave_dates(FIRST_DAY, ("department",))

    assert len(users) == 300
    assert {user.id for user in users} == {leaver["id"] for leaver in leavers}
    expected = {leaver["id"]: leaver["employeeLeaveDateTime"][:10] for leaver in leavers}
    assert all(
        user.leave_date.isoformat() == expected[user.id] for user in users if user.leave_date
    )
    assert all(user.leave_date_given and user.upn.startswith("staff") for user in users)
    assert {user.attributes["department"] for user in users} == {"Hjemmeplejen", "Teknik"}

    pages = graph.requests_to("/users")
    assert len(pages) == 6  # 300 users, 50 a page
    first = pages[0]
    assert first.headers["ConsistencyLevel"] == "eventual"
    assert first.query["$count"] == "true"
    assert first.query["$filter"] == "employeeLeaveDateTime ge 2027-01-01T00:00:00Z"
    assert first.query["$top"] == "999"
    selected = first.query["$select"].split(",")
    assert {"id", "userPrincipalName", "employeeLeaveDateTime", "department"} <= set(selected)
    assert all("$skiptoken" in page.query for page in pages[1:])
    assert all(page.headers.get("ConsistencyLevel") == "eventual" for page in pages)


async def test_the_read_gives_the_persons_fields_and_only_the_attributes_asked_for() -> None:
    async with leave_dates_on(tenant()) as source:
        users = by_upn(await source.with_leave_dates(FIRST_DAY, ATTRIBUTES))

    assert set(users) == {"sofie@contoso.example", "erik@contoso.example"}
    sofie = users["sofie@contoso.example"]
    assert sofie.display_name == "Sofie Andersen"
    assert sofie.mail == "sofie@contoso.example"
    assert sofie.preferred_language == "da-DK"
    assert sofie.leave_date == date(2027, 1, 31)
    assert dict(sofie.attributes) == {"companyName": "Aarhus Kommune", "department": "Hjemmeplejen"}
    # Erik has no company name: left out, not "".
    assert dict(users["erik@contoso.example"].attributes) == {"department": "Kultur og Fritid"}


async def test_graph_refuses_the_leave_date_filter_without_the_advanced_query() -> None:
    graph = tenant()
    async with (
        serving(graph) as url,
        GraphClient(CountingCredential(graph.token), base_url=url, retry=FAST_RETRY) as client,
    ):
        plain = await client.request(
            "GET",
            "/users",
            params={"$filter": "employeeLeaveDateTime ge 2027-01-01T00:00:00Z"},
        )
        assert plain.status == 400 and plain.error_code == "Request_UnsupportedQuery"
        header_only = await client.request(
            "GET",
            "/users",
            params={"$filter": "employeeLeaveDateTime ge 2027-01-01T00:00:00Z"},
            headers={"ConsistencyLevel": "eventual"},
        )
        assert header_only.status == 400
        # The leave date is returned only when selected, as Graph does.
        listed = await client.request("GET", "/users")
        assert listed.ok and all("employeeLeaveDateTime" not in u for u in listed.body["value"])


async def test_a_window_read_with_ge_le_and_and_counts_what_matches() -> None:
    graph = tenant()
    async with (
        serving(graph) as url,
        GraphClient(CountingCredential(graph.token), base_url=url, retry=FAST_RETRY) as client,
    ):
        answer = await client.request(
            "GET",
            "/users",
            params={
                "$filter": "employeeLeaveDateTime ge 2027-01-01T00:00:00Z and "
                "employeeLeaveDateTime le 2027-02-01T00:00:00Z",
                "$select": "id,userPrincipalName,employeeLeaveDateTime",
                "$count": "true",
            },
            headers={"ConsistencyLevel": "eventual"},
        )
    assert answer.ok
    assert answer.body["@odata.count"] == 1
    (only,) = answer.body["value"]
    assert only["userPrincipalName"] == "sofie@contoso.example"
    assert set(only) == {"id", "userPrincipalName", "employeeLeaveDateTime"}


# --- delta rounds --------------------------------------------------------------------------


async def test_start_delta_reads_no_users_and_a_quiet_tenant_has_no_changes() -> None:
    graph = tenant()
    async with leave_dates_on(graph) as source:
        link = await source.start_delta(ATTRIBUTES)
        (started,) = graph.requests_to("/users/delta")
        assert started.query["$deltatoken"] == "latest"
        assert "employeeLeaveDateTime" in started.query["$select"].split(",")
        assert "companyName" in started.query["$select"].split(",")
        changes = await source.changes(link)
    assert changes.users == []
    assert changes.delta_link != link


async def test_changes_show_a_new_a_moved_and_a_cleared_leave_date_and_a_removed_user() -> None:
    graph = tenant()
    async with leave_dates_on(graph) as source:
        link = await source.start_delta(ATTRIBUTES)
        graph.set_leave_date("stays@contoso.example", date(2027, 3, 31))  # new
        graph.set_leave_date("sofie@contoso.example", date(2027, 2, 28))  # moved
        graph.set_leave_date("erik@contoso.example", None)  # cleared
        graph.remove_user("gone@contoso.example")
        graph.set_attribute("manager@contoso.example", "jobTitle", "Chef")  # not selected
        changes = await source.changes(link)
        again = await source.changes(changes.delta_link)

    users = {user.id: user for user in changes.users}
    stays = users[graph.user_id("stays@contoso.example")]
    assert (stays.leave_date, stays.leave_date_given) == (date(2027, 3, 31), True)
    assert stays.upn == "stays@contoso.example"  # Graph's default: the selected properties
    assert dict(stays.attributes) == {"department": "Hjemmeplejen"}
    sofie = users[graph.user_id("sofie@contoso.example")]
    assert sofie.leave_date == date(2027, 2, 28)
    erik = users[graph.user_id("erik@contoso.example")]
    assert (erik.leave_date, erik.leave_date_given) == (None, True)
    removed = [user for user in changes.users if user.removed]
    assert len(removed) == 1 and removed[0].upn == "" and not removed[0].leave_date_given
    assert len(changes.users) == 4  # the manager's job title is not selected: not a change
    assert again.users == []


async def test_partial_entries_leave_out_what_did_not_change() -> None:
    graph = tenant()
    graph.delta_minimal = True  # as Graph answers `Prefer: return=minimal`
    async with leave_dates_on(graph) as source:
        link = await source.start_delta(ATTRIBUTES)
        graph.set_attribute("sofie@contoso.example", "department", "Teknik og Miljø")
        graph.set_leave_date("erik@contoso.example", date(2027, 2, 20))
        changes = await source.changes(link)

    users = {user.id: user for user in changes.users}
    sofie = users[graph.user_id("sofie@contoso.example")]
    assert dict(sofie.attributes) == {"department": "Teknik og Miljø"}
    assert sofie.leave_date_given is False and sofie.leave_date is None
    assert sofie.upn == "" and sofie.display_name == ""  # unchanged, not cleared
    erik = users[graph.user_id("erik@contoso.example")]
    assert (erik.leave_date, erik.leave_date_given) == (date(2027, 2, 20), True)
    assert dict(erik.attributes) == {}


async def test_many_changes_are_read_across_delta_pages_one_entry_per_user() -> None:
    graph = GraphStandIn(max_page_size=40)
    graph.add_staff(1000)
    async with leave_dates_on(graph) as source:
        link = await source.start_delta(("department",))
        upns = sorted(graph.users)[:250]
        for number, upn in enumerate(upns):
            graph.set_leave_date(upn, FIRST_DAY + timedelta(days=number % 30))
        graph.set_leave_date(upns[0], date(2027, 6, 30))  # changed twice: the last one wins
        changes = await source.changes(link)

    assert len(changes.users) == 250
    assert len(graph.requests_to("/users/delta")) == 1 + 7  # start, then 250 entries by 40
    first = next(user for user in changes.users if user.id == graph.user_id(upns[0]))
    assert first.leave_date == date(2027, 6, 30)


async def test_an_expired_delta_link_asks_for_a_full_read() -> None:
    graph = tenant()
    async with leave_dates_on(graph) as source:
        link = await source.start_delta(ATTRIBUTES)
        graph.expire_delta_links()
        with pytest.raises(ResyncNeeded):
            await source.changes(link)
        gone = graph.requests[-1]
        assert gone.path == "/v1.0/users/delta"

        fresh = await source.start_delta(ATTRIBUTES)
        graph.expire_delta_links(status=400)  # a token past its seven days
        with pytest.raises(ResyncNeeded):
            await source.changes(fresh)
        assert len(graph.requests_to("/users/delta")) == 4  # no retries of either


async def test_410_answers_with_a_location_to_start_over() -> None:
    graph = tenant()
    async with (
        serving(graph) as url,
        GraphClient(CountingCredential(graph.token), base_url=url, retry=FAST_RETRY) as client,
    ):
        link = await GraphLeaveDates(client).start_delta(ATTRIBUTES)
        graph.expire_delta_links()
        answer = await client.follow(link)
    assert answer.status == 410
    assert "/users/delta?$deltatoken=&$select=id," in answer.headers["Location"]


# --- permission, throttling, failures ------------------------------------------------------


async def test_without_the_lifecycle_permission_every_call_says_so() -> None:
    graph = tenant()
    async with leave_dates_on(graph) as source:
        link = await source.start_delta(ATTRIBUTES)
        graph.leave_dates_allowed = False
        with pytest.raises(LeaveDatesNotAllowed):
            await source.with_leave_dates(FIRST_DAY, ATTRIBUTES)
        with pytest.raises(LeaveDatesNotAllowed):
            await source.start_delta(ATTRIBUTES)
        with pytest.raises(LeaveDatesNotAllowed):
            await source.changes(link)
    assert {r.path for r in graph.requests} == {"/v1.0/users", "/v1.0/users/delta"}
    assert len(graph.requests) == 4  # a 403 is not retried


async def test_throttling_and_a_server_error_are_retried_and_the_read_is_whole() -> None:
    graph = GraphStandIn(max_page_size=50)
    leavers = graph.add_staff(2000, leavers=120, first_leave_day=FIRST_DAY)
    # The script is used in order by the requests it matches.
    graph.answer_next(200, path_contains="/users")  # page 1 passes
    graph.answer_next(429, headers={"Retry-After": "0.05"}, path_contains="/users")  # page 2
    graph.answer_next(200, path_contains="/users")  # page 2 again
    graph.answer_next(503, path_contains="/users")  # page 3
    async with leave_dates_on(graph) as source:
        users = await source.with_leave_dates(FIRST_DAY, ())

    assert {user.id for user in users} == {leaver["id"] for leaver in leavers}
    assert len(users) == 120
    pages = graph.requests_to("/users")
    assert len(pages) == 3 + 2  # three pages, two of them twice
    assert pages[1].query == pages[2].query and "$skiptoken" in pages[1].query
    assert pages[3].query == pages[4].query and pages[3].query != pages[1].query
    assert pages[1].headers["client-request-id"] == pages[2].headers["client-request-id"]
    assert pages[2].headers["ConsistencyLevel"] == "eventual"


async def test_a_delta_round_survives_throttling_on_a_later_page() -> None:
    graph = GraphStandIn(max_page_size=10)
    graph.add_staff(100)
    async with leave_dates_on(graph) as source:
        link = await source.start_delta(())
        for upn in sorted(graph.users)[:25]:
            graph.set_leave_date(upn, FIRST_DAY)
        graph.answer_next(200, path_contains="/users/delta")
        graph.answer_next(429, headers={"Retry-After": "0.01"}, path_contains="/users/delta")
        changes = await source.changes(link)
    assert len(changes.users) == 25
    assert all(user.leave_date == FIRST_DAY for user in changes.users)


async def test_graph_failing_for_good_gives_directory_unavailable() -> None:
    graph = tenant()
    async with leave_dates_on(graph) as source:
        graph.answer_next(500, times=10, path_contains="/users")
        with pytest.raises(DirectoryUnavailable):
            await source.with_leave_dates(FIRST_DAY, ATTRIBUTES)
        graph.answer_next(404, path_contains="/users/delta")
        with pytest.raises(DirectoryUnavailable):
            await source.start_delta(ATTRIBUTES)


# --- links elsewhere -----------------------------------------------------------------------


async def test_a_next_link_to_another_host_is_refused_and_gets_no_token() -> None:
    elsewhere = GraphStandIn(token="not-for-you")
    graph = GraphStandIn(max_page_size=2)
    graph.add_staff(50, leavers=10, first_leave_day=FIRST_DAY)
    async with serving(elsewhere) as other_url, leave_dates_on(graph) as source:
        graph.link_base = other_url  # Graph's links now point at another server
        with pytest.raises(DirectoryUnavailable, match="outside"):
            await source.with_leave_dates(FIRST_DAY, ())
        link = await source.start_delta(())
        assert link.startswith(other_url)
        with pytest.raises(DirectoryUnavailable, match="outside"):
            await source.changes(link)
    assert elsewhere.requests == []
    assert len(graph.requests_to("/users")) == 2  # the first page and start_delta only


@pytest.mark.parametrize(
    "link",
    [
        "https://graph.microsoft.com.evil.example/v1.0/users?$skiptoken=x",
        "https://graph.microsoft.com@evil.example/v1.0/users?$skiptoken=x",
        "https://evil.example@graph.microsoft.com/v1.0/users?$skiptoken=x",
        "http://graph.microsoft.com/v1.0/users?$skiptoken=x",
        "https://graph.microsoft.com:8443/v1.0/users?$skiptoken=x",
        "https://graph.microsoft.com/beta/users?$skiptoken=x",
        "https://graph.microsoft.com/v1.0/../beta/users",
        "/v1.0/users?$skiptoken=x",
    ],
)
async def test_links_outside_the_base_url_are_not_followed(link: str) -> None:
    credential = CountingCredential("t")
    async with GraphClient(credential, retry=FAST_RETRY) as client:
        with pytest.raises(DirectoryUnavailable):
            await client.follow(link)
    assert credential.calls == []  # not even a token was fetched


# --- the leave date rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamp", "day"),
    [
        ("2027-01-31T23:59:59Z", date(2027, 1, 31)),
        ("2027-01-31T00:00:00Z", date(2027, 1, 31)),
        ("2027-01-31T23:59:59.9999999Z", date(2027, 1, 31)),
        ("2027-02-01T00:30:00+01:00", date(2027, 1, 31)),
    ],
)
def test_the_leave_date_is_the_utc_date(stamp: str, day: date) -> None:
    assert leave_date_of(stamp) == day
