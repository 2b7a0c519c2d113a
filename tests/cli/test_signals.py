"""`exitbot serve` as a process and the signals an operator or the platform sends it: SIGHUP
reloads HR's YAML (a broken version keeps the last good one), SIGTERM lets the send under way
finish, records it as sent and exits 0."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
from pathlib import Path

import pytest
from sqlalchemy import select

from config.loader import default_config_dir, load_config
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.migrate import upgrade
from storage.tables import due_actions
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from testkit.waiting import PATIENCE, wait_until
from tests.cli.serve_process import Service, running
from tests.delivery.helpers import add_recipients, just_due, reminder
from tests.helpers.held_connector import HeldConnector
from tests.helpers.journey import cards_of, texts_of

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")

NEW_HELP_TITLE = "Her er, hvad jeg kan hjælpe dig med"


# --- SIGHUP ------------------------------------------------------------------------------


async def _help_title(service: Service, connector: ConnectorStandIn) -> str:
    """What a Danish leaver reads at the top of the help card, asking now."""
    before = len(connector.sent)
    await service.say(connector.url, "hjælp", locale="da-DK")
    sent = await connector.wait_for_sent(before + 1, within=PATIENCE)
    [card] = cards_of(sent[-1])
    return texts_of(card).splitlines()[0]


def _edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (once in the file) with `new`; the line it is on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


async def test_sighup_reloads_hr_yaml_and_a_broken_version_keeps_the_last_good(
    tmp_path: Path,
) -> None:
    config_dir = tmp_path / "hr-config"
    shutil.copytree(default_config_dir(), config_dir)
    old_title = load_config(config_dir).text("help.title", "da")
    connector = ConnectorStandIn()
    async with (
        serve(connector.app()) as connector.url,
        running(tmp_path, EXITBOT_CONFIG_DIR=str(config_dir)) as service,
    ):
        assert await _help_title(service, connector) == old_title
        started = await service.config_version()

        _edit(config_dir / "texts" / "da.yaml", f'"{old_title}"', f'"{NEW_HELP_TITLE}"')
        service.process.send_signal(signal.SIGHUP)

        async def reloaded() -> bool:
            return await service.config_version() != started

        await wait_until(reloaded, what="/healthz shows the reloaded configuration")
        assert await _help_title(service, connector) == NEW_HELP_TITLE  # the next turn
        good = await service.config_version()

        organisation = config_dir / "organisation.yaml"
        line = _edit(organisation, "    minutes: 60 ", "    minutes: 5 ")
        service.process.send_signal(signal.SIGHUP)
        place = f"{organisation}:{line}:"
        await wait_until(lambda: place in service.logged(), what="the refusal names file:line")
        [problem] = [entry for entry in service.logged().splitlines() if place in entry]
        assert "defaults.conversation.minutes" in problem
        assert "keeping version" in service.logged()
        assert service.process.returncode is None  # still serving
        assert await service.config_version() == good
        assert await _help_title(service, connector) == NEW_HELP_TITLE


# --- SIGTERM -----------------------------------------------------------------------------


async def test_sigterm_finishes_the_send_under_way_and_exits_0(tmp_path: Path) -> None:
    """Also with the log as JSON lines (EXITBOT_LOG_FORMAT=json), as a log store reads it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"
    await upgrade(url)
    teams = HeldConnector()
    async with serve(teams.app()) as teams_url:
        async with await Database.open(url) as db:
            await add_recipients(db, teams_url, ["user-1"])
            await DueActionQueue(db).schedule(reminder(1, due_at=just_due()))
        async with running(tmp_path, DATABASE_URL=url, EXITBOT_LOG_FORMAT="json") as service:
            await asyncio.wait_for(teams.arrived.wait(), PATIENCE)  # the send is under way
            service.process.send_signal(signal.SIGTERM)
            # Stopping: it listens no more, and still waits for Teams' answer.
            await wait_until(lambda: _refused(service), what="serve stops listening")
            assert service.process.returncode is None
            teams.release.set()
            code = await asyncio.wait_for(service.process.wait(), PATIENCE)
    assert code == 0, service.logged()
    assert len(teams.posts) == 1
    async with await Database.open(url) as db, db.sessions() as session:
        state, sent_id = (
            await session.execute(select(due_actions.c.state, due_actions.c.sent_activity_id))
        ).one()
    assert (state, sent_id) == ("sent", "activity-held")
    entries = [json.loads(line) for line in service.logged().splitlines()]
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any("NOT authenticated" in e["message"] for e in entries)  # local mode's warning


async def _refused(service: Service) -> bool:
    return not await service.listening()
