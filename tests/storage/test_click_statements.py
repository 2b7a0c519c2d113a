"""A card click runs few SQL statements (issue 13): counted at SQLAlchemy's cursor, for the
statements the click's own request runs on SQLite, through the whole journey from the offer to
the survey's send. A count, not a time: CPU per statement is bench/'s business.

Re-planning the due actions and the outbox's sends have their own tables and their own helpers
(storage/due_actions.py, outbox/); the bounds here are on what the click itself reads and writes
(the sender, the de-duplication, the departure, the survey, the audit log), and the counts of
everything are printed with `-s`.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import event

from bot.typedefs import DATABASE
from storage.migrate import upgrade
from tests.helpers.journey import LEAVER, LiveApp
from tests.helpers.live_service import live_service

# Tables of the re-planning and the outbox, counted but not bounded here (BEGIN: the BEGIN
# IMMEDIATE of storage/transactions.py's write_transaction).
ELSEWHERE = frozenset({"due_actions", "delivery_log", "send_budget", "BEGIN"})
# At most this many statements of the click's own, per card verb (the goal is 6 for
# all; before the unit of work: 10, 18, 20, 10, 12, 16). What is left above 6: the people a
# click tells are read in one statement (storage/people_in_view.py), a survey step reads its
# progress with the leaver's own answers (one statement) and saves them. The interviewer's
# choice saves the departure once, with the times found, and opens no chat: the delivery
# worker opens one for an interviewer who has none when it sends the task card. A pick renders
# neither the interviewer's confirmation nor the survey offer (drawn when sent) and reads nobody
# for the invitation (the leaver's registered language), unless it updates a posted task card.
# Each click's audit row marks its activity handled (storage/turns.py): the claim is the only
# statement on seen_activities (one fewer each).
BOUNDS = {
    "offer.accept": 5,
    "interviewer.choose": 4,
    "booking.pick": 5,
    "survey.start": 6,
    "survey.next": 8,
    "survey.send": 8,
}
# The table a statement reads or writes: the first one its columns name, else after FROM/INTO/…
_TABLE = re.compile(r"^\s*SELECT\s+[(\s]*(?:SELECT\s+)?(\w+)\.|\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)")
_REQUESTS: set[asyncio.Task[Any]] = set()


@web.middleware
async def _mark_request(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    task = asyncio.current_task()
    assert task is not None
    _REQUESTS.add(task)
    try:
        return await handler(request)
    finally:
        _REQUESTS.discard(task)


def _counting(app: web.Application) -> web.Application:
    app.middlewares.append(_mark_request)
    return app


@pytest.fixture
async def counted(tmp_path: Path) -> AsyncIterator[LiveApp]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)
    async with live_service(url, shape=_counting) as live:
        yield live


class Statements:
    """The statements of requests to the service while counting, and the connections they took
    from the pool (one per session before a turn had its unit of work)."""

    def __init__(self) -> None:
        self.tables: list[str] = []
        self.connections = 0

    def statement(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if asyncio.current_task() in _REQUESTS:
            found = _TABLE.search(sql)
            self.tables.append(found.group(found.lastindex or 0) if found else sql.split()[0])

    def checkout(self, *_args: Any) -> None:
        if asyncio.current_task() in _REQUESTS:
            self.connections += 1

    @property
    def own(self) -> int:
        return sum(1 for table in self.tables if table not in ELSEWHERE)


@contextmanager
def statements(app: LiveApp) -> Iterator[Statements]:
    seen = Statements()
    engine = app.app[DATABASE].engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen.statement)
    event.listen(engine.pool, "checkout", seen.checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", seen.statement)
        event.remove(engine.pool, "checkout", seen.checkout)


async def test_each_click_of_the_journey_runs_few_statements(
    counted: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.survey.helpers import at_the_send

    clicks: list[tuple[str, Statements]] = []
    press = LiveApp.press

    async def press_counted(self: LiveApp, user: Any, verb: str, *args: Any, **kw: Any) -> Any:
        with statements(self) as seen:
            answer = await press(self, user, verb, *args, **kw)
        clicks.append((verb, seen))
        return answer

    monkeypatch.setattr(LiveApp, "press", press_counted)
    _, card = await at_the_send(counted)
    await counted.press_button(LEAVER, card, "survey.send")

    print("\nclick                 own  all  connections  tables")
    for verb, seen in clicks:
        tables = ", ".join(f"{t} {n}" for t, n in Counter(seen.tables).most_common())
        print(f"{verb:20} {seen.own:4} {len(seen.tables):4} {seen.connections:12}  {tables}")
    assert {verb for verb, _ in clicks} == set(BOUNDS)
    over = [(verb, seen.own) for verb, seen in clicks if seen.own > BOUNDS[verb]]
    assert not over, f"clicks over their bound of statements: {over}"
    marked = [verb for verb, seen in clicks if seen.tables.count("seen_activities") != 1]
    assert not marked, f"clicks with more than their claim on seen_activities: {marked}"
