"""SQL statements counted in a bench server process, per turn: bench-side, no product hook.

A `before_cursor_execute` listener on SQLAlchemy's `Engine` class sees every statement of every
engine in the process (the app's engine, `app[DATABASE].engine.sync_engine`, and any other a
change may add). An aiohttp middleware gives each POST /api/messages its own tally in a context
variable, which SQLAlchemy's greenlets and `asyncio.to_thread` carry along, so a statement is
counted as
  turn   run while the request was being answered;
  after  run by a task the turn started, after its answer was written;
  other  anything else: the delivery worker, pollers, jobs (no turn in their context).
GET /_bench/sql answers the totals so far; the driver takes differences around a batch.
With BENCH_SQL_TRACE=<file> set, each turn's statements (their SQL, never parameters)
are appended to that file under a `### <card verb or message text>` line (bench.flow --trace-sql).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.protocol import SQL_PATH

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE|TABLE)\s+\"?([A-Za-z_][\w.]*)", re.IGNORECASE)
_KIND_CACHE_LIMIT = 5000
_BRACKETED = re.compile(r"\([^()]*\)")


@dataclass
class _TurnTally:
    statements: int = 0
    answered: bool = False
    seen: list[str] | None = None  # the statements' SQL, when traced


@dataclass
class Tally:
    """What the process ran so far (statements, turns, and how many statements each turn ran)."""

    turns: int = 0
    turn_statements: int = 0
    after_statements: int = 0
    other_statements: int = 0
    # statements in one turn -> turns that ran that many
    per_turn: Counter[int] = field(default_factory=Counter)
    # "SELECT departures" -> statements of that kind run inside turns
    kinds: Counter[str] = field(default_factory=Counter)
    _kind_of: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "turns": self.turns,
            "turn": self.turn_statements,
            "after": self.after_statements,
            "other": self.other_statements,
            "per_turn": {str(k): v for k, v in self.per_turn.items()},
            "kinds": dict(self.kinds),
        }

    def kind(self, statement: str) -> str:
        """The statement's first word and first table, e.g. `INSERT due_actions`."""
        found = self._kind_of.get(statement)
        if found is None:
            words = statement.split(None, 1)
            verb = words[0].upper() if words else "?"
            table = _TABLE.search(_outermost(statement))
            found = f"{verb} {table.group(1)}" if table else verb
            if len(self._kind_of) < _KIND_CACHE_LIMIT:
                self._kind_of[statement] = found
        return found


def _outermost(statement: str) -> str:
    """The statement without what is in brackets (subqueries, column lists), so a SELECT is
    named by its own FROM, not by a correlated subquery's."""
    while True:
        flat = _BRACKETED.sub(" ", statement)
        if flat == statement:
            return flat
        statement = flat


_current: ContextVar[_TurnTally | None] = ContextVar("bench_turn_tally", default=None)


def install(app: web.Application) -> Tally:
    """Count the statements of this process and serve the totals on SQL_PATH."""
    tally = Tally()
    trace = os.environ.get("BENCH_SQL_TRACE")

    def counted(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        turn = _current.get()
        if turn is None:
            tally.other_statements += 1
        elif turn.answered:
            tally.after_statements += 1
        else:
            turn.statements += 1
            if turn.seen is not None:
                turn.seen.append(" ".join(statement.split()))
            tally.turn_statements += 1
            tally.kinds[tally.kind(statement)] += 1

    event.listen(Engine, "before_cursor_execute", counted)

    @web.middleware
    async def per_turn(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path != "/api/messages":
            return await handler(request)
        turn = _TurnTally(seen=[] if trace else None)
        token = _current.set(turn)
        try:
            return await handler(request)
        finally:
            turn.answered = True
            _current.reset(token)
            if trace and turn.seen is not None:
                _trace(trace, await request.read(), turn.seen)
            tally.turns += 1
            tally.per_turn[turn.statements] += 1

    async def totals(_: web.Request) -> web.Response:
        return web.json_response(tally.as_json())

    app.middlewares.append(per_turn)
    app.router.add_get(SQL_PATH, totals)
    return tally


def _trace(path: str, body: bytes, statements: list[str]) -> None:
    """Append one turn's statements under its card verb (or message text)."""
    activity = json.loads(body)
    value = activity.get("value") or {}
    verb = (value.get("action") or {}).get("verb") or f"message {activity.get('text')!r}"
    with open(path, "a", encoding="utf-8") as file:
        file.write(f"### {verb}\n" + "".join(f"{s}\n" for s in statements))
