"""Teams re-sends a card click (issue 13: the click's audit row is its handled mark), on the real
service over SQLite and PostgreSQL: a re-send after the click was answered, even once the
claim's lease ran out, and a re-send while the click still runs are answered 200 and do
nothing: the leaver's click is accepted once, and nobody is told twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.typedefs import DATABASE
from dialogs.router import Router
from journey.departure import DepartureStatus
from storage import turns
from testkit.sql_statements import statements_run
from testkit.waiting import wait_until
from tests.helpers.journey import LEAVER, LiveApp, actions_of
from tests.helpers.live_service import live_service


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[LiveApp]:
    async with live_service(database_url) as live:
        yield live


async def _press_accept(app: LiveApp) -> tuple[str, dict[str, Any]]:
    """A registered leaver's departure id and the activity of a press on its accept button."""
    await app.say(LEAVER, "hello")
    departure = await app.register()
    card = await app.card_offering(LEAVER, "offer.accept")
    await app.settled()
    button = next(a for a in actions_of(card) if a["verb"] == "offer.accept")
    press = app.press_activity(LEAVER, "offer.accept", button["data"], locale="en-US")
    return departure.id, press


async def _accepted(app: LiveApp, departure_id: str) -> int:
    return [e.action for e in await app.audit(departure_id)].count("offer.accepted")


async def test_a_resend_after_the_click_is_dropped_even_after_the_lease(
    app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every claim's lease has run out by the time anyone looks: only the mark keeps it.
    monkeypatch.setattr(turns, "TURN_LEASE", timedelta(seconds=-1))
    departure_id, press = await _press_accept(app)
    answered = await app.post(press)
    assert answered.status == 200
    assert (await answered.json()).get("type") == "application/vnd.microsoft.card.adaptive"
    accepted = await app.departure(departure_id)
    assert accepted.status is DepartureStatus.ACCEPTED
    await app.settled()
    told = len(app.sent_to(LEAVER))

    again = await app.post(press)  # Teams did not see the answer and sends the click again
    assert again.status == 200
    assert await again.read() == b""  # dropped: no card drawn again
    await app.settled()
    assert await _accepted(app, departure_id) == 1
    assert (await app.departure(departure_id)).version == accepted.version
    assert len(app.sent_to(LEAVER)) == told


async def test_a_resend_while_the_click_runs_waits_and_is_then_dropped(
    app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    departure_id, press = await _press_accept(app)
    handle, entered, release = Router.on_invoke, asyncio.Event(), asyncio.Event()

    async def held(router: Router, turn: Any, value: Any) -> Any:
        entered.set()
        await release.wait()
        return await handle(router, turn, value)

    monkeypatch.setattr(Router, "on_invoke", held)
    first = asyncio.create_task(app.post(press))
    await asyncio.wait_for(entered.wait(), timeout=turns.IN_PROGRESS_WAIT)
    with statements_run(app.app[DATABASE]) as seen:
        resend = asyncio.create_task(app.post(press))  # arrives while the click runs

        def waiting() -> bool:  # it found the claim held and looks again
            return sum("FROM seen_activities" in statement for statement in seen) >= 2

        await wait_until(waiting, what="the re-send waits for the click")
    assert not resend.done()
    release.set()
    answer, again = await first, await resend
    assert (answer.status, again.status) == (200, 200)
    assert await again.read() == b""
    assert await _accepted(app, departure_id) == 1
    assert (await app.departure(departure_id)).status is DepartureStatus.ACCEPTED
