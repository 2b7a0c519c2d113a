"""End to end through the real Graph client and the Graph stand-in on loopback: 5,000 users
with 300 leave dates across pages, a 429 and a 503 on the way, delta rounds and a 410."""

from __future__ import annotations

from datetime import date, timedelta

from config.loader import LoadedConfig
from journey.leave_dates import LeaveDateSettings
from people.graph_client import GraphClient
from people.graph_directory import GraphDirectory
from people.graph_leave_dates import GraphLeaveDates
from storage.database import Database
from tests.leave_dates.helpers import build_rig
from tests.people.graph_standin import GraphStandIn, serving
from tests.people.helpers import FAST_RETRY, CountingCredential

FIRST_LEAVE_DAY = date(2026, 3, 16)  # two weeks after the rig's today, 2 March 2026
SETTINGS = LeaveDateSettings(
    mode="auto",
    units_by_value={"Hjemmeplejen": "home-care", "Social og Sundhed": "social-care"},
    units=frozenset({"", "home-care", "social-care"}),
)


async def test_5000_users_300_leave_dates_throttled_then_delta_then_resync(
    db: Database, default_config: LoadedConfig
) -> None:
    graph = GraphStandIn(max_page_size=50)
    graph.add_user("boss@contoso.example", "Bo Boss", language="da-DK")
    leavers = graph.add_staff(
        5000,
        leavers=300,
        first_leave_day=FIRST_LEAVE_DAY,
        spread_days=40,
        departments=("Hjemmeplejen", "Social og Sundhed"),
        manager="boss@contoso.example",
    )
    graph.answer_next(200, path_contains="/users")  # the delta link for now
    graph.answer_next(200, path_contains="/users")  # page 1 of the leave dates
    graph.answer_next(429, headers={"Retry-After": "0.05"}, path_contains="/users")  # page 2
    graph.answer_next(200, path_contains="/users")  # page 2 again
    graph.answer_next(503, path_contains="/users")  # page 3, retried
    async with (
        serving(graph) as url,
        GraphClient(CountingCredential(graph.token), base_url=url, retry=FAST_RETRY) as client,
    ):
        directory = GraphDirectory(client)
        rig = build_rig(
            db,
            default_config,
            entra=GraphLeaveDates(client),  # type: ignore[arg-type]
            directory=directory,  # type: ignore[arg-type]
            settings=SETTINGS,
        )

        first = await rig.check.run()

        assert first.full_read and first.registered == 300 and await rig.count() == 300
        pages = [r for r in graph.requests if r.path == "/v1.0/users"]
        assert len(pages) == 6 + 2  # 300 leave dates, 50 a page; pages 2 and 3 twice
        one = leavers[0]["userPrincipalName"]
        registered = await rig.departures.list_for_person(one)
        assert [d.manager_upn for d in registered] == ["boss@contoso.example"]
        assert [d.locale for d in registered] == ["da"]
        assert [d.external_id for d in registered] == [f"entra:{leavers[0]['id']}"]

        # A delta round: one moved, one new, one cleared; everyone else is quiet.
        moved, cleared = leavers[1]["userPrincipalName"], leavers[2]["userPrincipalName"]
        graph.set_leave_date(moved, FIRST_LEAVE_DAY + timedelta(days=45))
        graph.set_leave_date(cleared, None)
        graph.set_leave_date("staff00001@contoso.example", FIRST_LEAVE_DAY)
        second = await rig.check.run()

        assert not second.full_read
        assert (second.moved, second.registered, second.to_cancel) == (1, 1, 1)
        assert await rig.count() == 301
        [after] = [d for d in await rig.departures.list_for_person(moved) if d.leaver_upn == moved]
        assert after.last_working_day == FIRST_LEAVE_DAY + timedelta(days=45)

        # Graph resets the delta state (410): a full read again, nothing registered twice.
        graph.set_leave_date("staff00002@contoso.example", FIRST_LEAVE_DAY)
        graph.expire_delta_links()
        third = await rig.check.run()

        assert third.full_read and third.registered == 1 and third.moved == 0
        assert await rig.count() == 302
        fourth = await rig.check.run()
        assert not fourth.full_read and fourth.registered == 0


async def test_minimal_delta_entries_are_completed_by_a_read(
    db: Database, default_config: LoadedConfig
) -> None:
    graph = GraphStandIn(max_page_size=20, delta_minimal=True)
    graph.add_user("boss@contoso.example", "Bo Boss", language="da-DK")
    graph.add_staff(
        100,
        leavers=5,
        first_leave_day=FIRST_LEAVE_DAY,
        departments=("Hjemmeplejen",),
        manager="boss@contoso.example",
    )
    async with (
        serving(graph) as url,
        GraphClient(CountingCredential(graph.token), base_url=url, retry=FAST_RETRY) as client,
    ):
        rig = build_rig(
            db,
            default_config,
            entra=GraphLeaveDates(client),  # type: ignore[arg-type]
            directory=GraphDirectory(client),  # type: ignore[arg-type]
            settings=SETTINGS,
        )
        assert (await rig.check.run()).registered == 5
        graph.set_leave_date("staff00001@contoso.example", FIRST_LEAVE_DAY)  # only the date
        graph.set_attribute("staff00003@contoso.example", "displayName", "Staff Three")

        report = await rig.check.run()

        assert report.registered == 1 and not report.full_read
        [new] = await rig.departures.list_for_person("staff00001@contoso.example")
        assert (new.unit, new.manager_upn) == ("home-care", "boss@contoso.example")
