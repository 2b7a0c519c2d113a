"""SQLite busy during a card click (issue 13): another connection holds the write lock longer
than the service waits for it (its busy timeout, made small here). The click is answered 503
with Retry-After, never 500 or 501; nothing of it is kept, and Teams' re-send of the same
activity runs it once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import storage.database
from dialogs.router import Router
from journey.departure import DepartureStatus
from storage.migrate import upgrade
from testkit.waiting import wait_until
from tests.helpers.journey import LEAVER, LiveApp, actions_of
from tests.helpers.live_service import live_service

BUSY_TIMEOUT_MS = 200  # the service's wait for the lock; the holder keeps it far longer


class LockHolder:
    """A second connection to the service's SQLite file that takes the write lock on demand
    and keeps it until told to let go (as a long write of another process would)."""

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(
            path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self.holding = False

    async def take(self) -> None:
        # In a thread: the service's own writes in flight must be able to finish first.
        await asyncio.to_thread(self._connection.execute, "BEGIN IMMEDIATE")
        self.holding = True

    def let_go(self) -> None:
        if self.holding:
            self._connection.execute("ROLLBACK")
            self.holding = False

    def close(self) -> None:
        self.let_go()
        self._connection.close()


@pytest.fixture
async def busy_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LiveApp]:
    monkeypatch.setattr(storage.database, "SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)
    async with live_service(url) as app:
        yield app


@contextmanager
def holder_of(tmp_path: Path) -> Iterator[LockHolder]:
    holder = LockHolder(tmp_path / "exitbot.sqlite3")
    try:
        yield holder
    finally:
        holder.close()


async def _offer(app: LiveApp) -> tuple[str, dict[str, Any]]:
    """A registered leaver's departure id and the activity of a press on its accept button."""
    departure = await app.register()
    card = await app.card_offering(LEAVER, "offer.accept")
    await app.settled()  # the delivery worker is idle: only the click wants the lock
    button = next(a for a in actions_of(card) if a["verb"] == "offer.accept")
    press = app.press_activity(LEAVER, "offer.accept", button["data"], locale="da-DK")
    return departure.id, press


async def _teams_resends_until_accepted(app: LiveApp, press: dict[str, Any]) -> dict[str, Any]:
    """Teams re-sends an activity answered 503; the body of the first 200."""
    bodies: list[dict[str, Any]] = []

    async def accepted() -> bool:
        response = await app.post(press)
        assert response.status in (200, 503), response.status
        if response.status == 200:
            bodies.append(await response.json())
        return bool(bodies)

    await wait_until(accepted, interval=0.2, what="a re-send is accepted")
    return bodies[0]


async def _accepted_entries(app: LiveApp, departure_id: str) -> int:
    return [e.action for e in await app.audit(departure_id)].count("offer.accepted")


@pytest.mark.parametrize("where", ["at the door", "inside the turn"])
async def test_a_click_that_meets_a_held_write_lock_answers_503_and_counts_once(
    busy_app: LiveApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    app = busy_app
    await app.say(LEAVER, "hej", locale="da-DK")
    departure_id, press = await _offer(app)
    with holder_of(tmp_path) as holder:
        if where == "at the door":  # before the activity id can even be claimed
            await holder.take()
        else:  # after the claim, while the card's handler runs
            handle, taken = Router.on_invoke, []

            async def lock_taken_first(router: Router, turn: Any, value: Any) -> Any:
                if not taken:  # the first try only: Teams' re-send runs as it is
                    taken.append(True)
                    await holder.take()
                return await handle(router, turn, value)

            monkeypatch.setattr(Router, "on_invoke", lock_taken_first)
        response = await app.post(press)
        assert response.status == 503, await response.text()
        assert int(response.headers["Retry-After"]) > 0
        assert holder.holding
        stored = await app.departure(departure_id)
        assert stored.status is DepartureStatus.OFFERED  # nothing of the click was kept
        holder.let_go()  # the re-send meets a free lock

    body = await _teams_resends_until_accepted(app, press)
    assert body.get("value") != app.text("error.generic", "da")
    assert (await app.departure(departure_id)).status is DepartureStatus.ACCEPTED
    assert await _accepted_entries(app, departure_id) == 1
    # A later re-send of the same click is dropped: still once.
    assert (await app.post(press)).status == 200
    assert await _accepted_entries(app, departure_id) == 1
