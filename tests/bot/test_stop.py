"""The delivery worker's stop (outbox.service.Outbox.stop, run when the service gets SIGTERM):
it claims nothing more, waits for the send under way, and gives up on one that outlives its
bound, leaving it to its lease instead of holding the platform's shutdown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.typedefs import DATABASE
from journey.due import DueState
from storage.database import Database
from storage.migrate import upgrade
from storage.tables import due_actions
from testkit.standins.serve import serve
from testkit.waiting import wait_until
from tests.delivery.helpers import add_recipients, reminder
from tests.helpers.held_connector import HeldConnector
from tests.helpers.journey import T0, LiveApp
from tests.helpers.live_service import live_service


async def _states(app: LiveApp) -> dict[str, str]:
    async with app.app[DATABASE].sessions() as session:
        rows = await session.execute(select(due_actions.c.recipient_key, due_actions.c.state))
    return {row.recipient_key: row.state for row in rows}


async def test_stop_gives_up_on_a_send_that_outlives_its_bound(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)
    teams = HeldConnector()
    async with serve(teams.app()) as teams_url:
        async with await Database.open(url) as db:
            await add_recipients(db, teams_url, ["user-1"])
        async with live_service(url) as app:
            await app.outbox.queue.schedule(reminder(1, due_at=T0 - timedelta(minutes=1)))
            await wait_until(teams.arrived.is_set, what="the send is under way")
            await app.outbox.stop(within=0.2)  # Teams has not answered, and will not
            assert app.outbox.worker_idle_for() is None
            # Left `sending`: the next instance reconciles it, never sends it blindly again.
            assert await _states(app) == {"user-1": DueState.SENDING.value}
            teams.release.set()
    assert len(teams.posts) == 1
