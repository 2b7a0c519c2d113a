"""Retention works through everything due in one run, in short batches, and a card click made
meanwhile is answered (issue 13): the run leaves SQLite's write lock free between batches."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.typedefs import CONFIG, DATABASE
from jobs.retention import run_retention
from journey.departure import Departure, DepartureStatus
from storage.database import Database
from storage.tables import departures
from tests.helpers.journey import LEAVER, LiveApp, cards_of, verbs_of

DUE = 1_200
LONG_AGO = date(2024, 6, 28)  # past the shipped 12 months of retention at the test's clock
REGISTERED = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)


def _long_gone(number: int) -> Departure:
    return Departure(
        leaver_upn=f"gone{number}@contoso.example",
        leaver_name=f"Gone {number}",
        manager_upn="manager@contoso.example",
        unit="social-care",
        last_working_day=LONG_AGO,
        status=DepartureStatus.CLOSED,
        created_at=REGISTERED,
        updated_at=REGISTERED,
    )


async def _anonymous(db: Database) -> int:
    async with db.sessions() as session:
        count = select(func.count()).where(departures.c.leaver_upn == "")
        return int(await session.scalar(count) or 0)


async def _offer_card(app: LiveApp) -> dict[str, object]:
    async def offered() -> bool:
        return any("offer.accept" in verbs_of(c) for a in app.sent_to(LEAVER) for c in cards_of(a))

    await app.until(offered, what="the offer card reached the leaver")
    return next(
        c for a in app.sent_to(LEAVER) for c in cards_of(a) if "offer.accept" in verbs_of(c)
    )


async def test_everything_due_is_anonymised_in_one_run_and_a_click_meanwhile_is_answered(
    app: LiveApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    db = app.app[DATABASE]
    await app.say(LEAVER, "help")
    sofie = await app.register()
    offer = await _offer_card(app)
    await app.departures.add_many([_long_gone(n) for n in range(DUE)])

    retention = asyncio.create_task(run_retention(db, app.app[CONFIG].current, app.clock))
    await app.until(lambda: _started(db), what="the first batch is anonymised")
    answer = await app.press_button(LEAVER, offer, "offer.accept")  # asserts 200
    anonymised_when_answered = await _anonymous(db)
    report = await retention

    assert 0 < anonymised_when_answered < DUE  # the click was answered while it ran
    assert report.departures == DUE
    assert await _anonymous(db) == DUE
    assert answer.get("value") != app.text("error.generic")
    assert (await app.departure(sofie.id)).status is DepartureStatus.ACCEPTED  # counted once
    progress = [r.getMessage() for r in caplog.records if r.name == "storage.retention"]
    assert progress and all("@" not in line for line in progress)  # counts only


async def _started(db: Database) -> bool:
    return await _anonymous(db) > 0
