"""A click whose last transaction fails (issue 13), on the real service over SQLite and
PostgreSQL: its departure save waited for that transaction (storage/unit_of_work.py), so the
departure, its planned reminders and its audit log stay as they were, the click is answered
"try again" (503 with Retry-After, not the new card), and Teams' retry then does the click once,
with its reminders."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.typedefs import DATABASE
from journey.departure import DepartureStatus
from storage.due_plans import TurnPlan
from storage.tables import due_actions
from tests.bot.test_resend_after_click import _accepted, _press_accept
from tests.helpers.journey import LiveApp
from tests.helpers.live_service import live_service


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[LiveApp]:
    async with live_service(database_url) as live:
        yield live


async def _plan(app: LiveApp, departure_id: str) -> list[tuple[Any, ...]]:
    """The departure's due actions as stored: key, state and when."""
    c = due_actions.c
    query = (
        select(c.idempotency_key, c.state, c.due_at)
        .where(c.departure_id == departure_id)
        .order_by(c.idempotency_key)
    )
    async with app.app[DATABASE].engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(query)).all()]


async def test_a_click_whose_end_fails_changes_nothing_and_its_retry_does_it_once(
    app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    departure_id, press = await _press_accept(app)
    await app.settled()  # the offer's delivery recorded on the departure
    before = await app.departure(departure_id)
    plan_before = await _plan(app, departure_id)
    write, failures = TurnPlan.write, []

    async def fails_once(plan: TurnPlan, connection: AsyncConnection) -> None:
        await write(plan, connection)  # written in the transaction, which then fails
        if not failures:
            failures.append(1)
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(TurnPlan, "write", fails_once)
    answered = await app.post(press)
    assert answered.status == 503  # Teams retries; the user is not told it worked
    assert answered.headers.get("Retry-After")
    assert (await app.departure(departure_id)).model_dump() == before.model_dump()
    assert await _plan(app, departure_id) == plan_before
    assert await _accepted(app, departure_id) == 0

    again = await app.post(press)  # Teams' retry of the same activity
    assert again.status == 200
    assert (await again.json()).get("type") == "application/vnd.microsoft.card.adaptive"
    accepted = await app.departure(departure_id)
    assert (accepted.status, accepted.version) == (DepartureStatus.ACCEPTED, before.version + 1)
    assert await _accepted(app, departure_id) == 1
    assert await _plan(app, departure_id) != plan_before  # re-planned with the click

    third = await app.post(press)  # and once only
    assert third.status == 200
    assert await third.read() == b""
    assert await _accepted(app, departure_id) == 1
