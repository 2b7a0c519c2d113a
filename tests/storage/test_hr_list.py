"""HR's list over 1,000 departures, on SQLite and PostgreSQL: order, filters, search, paging,
and a card that stays under Teams' size limit (storage.hr_list, journey.hr_status)."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pytest

from cards.locale import Speaker
from cards.status import HrListView, hr_card
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.access import Asker
from journey.departure import Departure, DepartureStatus
from journey.hr_status import (
    FINISHED,
    OPEN_STATES,
    PAGE_SIZE,
    Attention,
    HrPage,
    HrQuery,
    attention_of,
    hr_list,
)
from journey.locale import SUPPORTED_LANGUAGES
from storage.database import Database
from storage.departures import SqlDepartureRepository
from testkit import hr_list_seed

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
HR = Asker(user_id="u-hr", upn="hr@contoso.example", is_hr=True)
TEAMS_CARD_LIMIT = 28_000  # bytes of card JSON Teams accepts in a message


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


@pytest.fixture
async def seeded(db: Database) -> tuple[SqlDepartureRepository, list[Departure]]:
    repo = SqlDepartureRepository(db)
    stored = hr_list_seed.departures(1000, TODAY, NOW)
    await repo.add_many(stored)
    return repo, stored


def _order(d: Departure) -> tuple[object, ...]:
    """The list's order: upcoming last days soonest first, then past ones latest first."""
    past = d.last_working_day < TODAY
    day = -d.last_working_day.toordinal() if past else d.last_working_day.toordinal()
    return (past, day, d.created_at, d.id)


def expected(stored: list[Departure], query: HrQuery) -> list[str]:
    """What the list should hold, worked out in Python from the same rules."""
    wanted = [
        d
        for d in stored
        if (
            query.search.casefold() in f"{d.leaver_name} {d.leaver_upn}".casefold()
            if query.search
            else d.status not in FINISHED
        )
        and (query.unit is None or d.unit == query.unit)
        and (query.state is None or d.status is query.state)
        and (not query.attention or attention_of(d, NOW))
    ]
    return [d.id for d in sorted(wanted, key=_order)]


async def every_page(repo: SqlDepartureRepository, query: HrQuery) -> tuple[list[str], int]:
    """Every id the list shows for `query`, page after page, and the pages it took."""
    shown: list[str] = []
    pages = 0
    while True:
        page = await hr_list(repo, HR, HrQuery(**{**query.__dict__, "page": pages}), NOW, TODAY)
        assert page is not None
        shown += [d.id for d in page.departures]
        pages += 1
        if not page.has_next:
            assert len(shown) == page.total
            return shown, pages


async def test_open_departures_come_soonest_last_day_first_page_by_page(seeded) -> None:
    repo, stored = seeded
    first = await hr_list(repo, HR, HrQuery(), NOW, TODAY)
    assert first is not None and len(first.departures) == PAGE_SIZE and first.has_next
    days = [d.last_working_day for d in first.departures]
    assert days == sorted(days) and days[0] >= TODAY  # not the oldest: the soonest to come
    shown, pages = await every_page(repo, HrQuery())
    assert shown == expected(stored, HrQuery())
    assert len(set(shown)) == len(shown)  # pages never overlap
    assert pages == -(-len(shown) // PAGE_SIZE)
    # Past last days (closing soon) come after every upcoming one.
    flags = [d.last_working_day < TODAY for d in map({d.id: d for d in stored}.get, shown) if d]
    assert flags == sorted(flags) and any(flags)


async def test_each_filter_narrows_the_list_in_the_database(seeded) -> None:
    repo, stored = seeded
    queries = [HrQuery(unit=unit) for unit in hr_list_seed.UNITS]
    queries += [HrQuery(state=state) for state in OPEN_STATES]
    queries += [HrQuery(attention=True), HrQuery(unit="home-care", attention=True)]
    for query in queries:
        shown, _ = await every_page(repo, query)
        assert shown == expected(stored, query), query
        assert shown, f"the seed has nothing for {query}"
    # Every reason to look occurs, and the card says which.
    reasons = {r for d in stored if d.status not in FINISHED for r in attention_of(d, NOW)}
    assert reasons == set(Attention)


async def test_a_search_finds_closed_ones_in_any_case(seeded) -> None:
    repo, stored = seeded
    closed = next(d for d in stored if d.status is DepartureStatus.CLOSED)
    assert closed.id not in (await every_page(repo, HrQuery()))[0]
    surname = closed.leaver_name.split()[1]
    for search in (closed.leaver_name.upper(), closed.leaver_name.lower(), closed.leaver_upn):
        shown, _ = await every_page(repo, HrQuery(search=search))
        assert closed.id in shown and shown == expected(stored, HrQuery(search=search))
    for search in (surname.lower(), surname.upper(), "østergaard", "ÅSE"):
        shown, _ = await every_page(repo, HrQuery(search=search))
        assert shown == expected(stored, HrQuery(search=search)) and shown
    nothing = await hr_list(repo, HR, HrQuery(search="%_*?[]\\"), NOW, TODAY)
    assert nothing is not None and nothing.total == 0  # wildcards are plain characters


async def test_a_page_past_the_end_shows_the_last_and_only_hr_gets_one(seeded) -> None:
    repo, _ = seeded
    page = await hr_list(repo, HR, HrQuery(state=DepartureStatus.HELD, page=999), NOW, TODAY)
    assert page is not None and page.departures and not page.has_next and page.has_previous
    someone = Asker(user_id="u-x", upn="x@contoso.example")
    assert await hr_list(repo, someone, HrQuery(), NOW, TODAY) is None


async def test_the_card_stays_under_teams_limit_and_answers_quickly(seeded, config) -> None:
    repo, _ = seeded
    units = [(unit, config.unit_name(unit) or unit) for unit in config.unit_ids]
    for language in SUPPORTED_LANGUAGES:
        began = time.perf_counter()
        page = await hr_list(repo, HR, HrQuery(attention=False, page=1), NOW, TODAY)
        assert isinstance(page, HrPage)
        card = hr_card(Speaker(config, language), HrListView(page=page, units=units))
        took = time.perf_counter() - began
        size = len(json.dumps(card, ensure_ascii=False).encode())
        assert size < TEAMS_CARD_LIMIT, (language, size)
        assert took < 1.0, (language, took)


def test_the_seed_spreads_over_every_state() -> None:
    stored = hr_list_seed.departures(1000, TODAY, NOW)
    assert {d.status for d in stored} == set(DepartureStatus)
    assert min(d.last_working_day for d in stored) < date(2026, 8, 1) < TODAY
