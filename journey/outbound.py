"""Calls that leave the process during a turn: a held write is committed before each, and a
call nothing in the turn waits for goes after the turn's writes are committed.

A turn's unit of work (storage/unit_of_work.py) may hold a write open for the turn's end; no
lock may be held while the turn waits for Teams or Microsoft Graph. The unit registers what to
do (`before_each`) for the turn's context, tasks it starts included; each outbound client
awaits `before_call()` once per call, before its token and its request (outbox/connector.py
for the Bot Connector, people/graph_client.py for Graph).

A call whose outcome the turn does not use (a card updated in place: outbox/notifier.py) is
handed to `after_turn` instead: within a turn it runs once the turn's last transaction has
committed, so it neither splits the turn's writes nor goes out for a turn that wrote nothing;
elsewhere at once. Plain Python: no framework here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token

Before = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)

_BEFORE: ContextVar[Before | None] = ContextVar("exitbot_before_outbound", default=None)


class _Later(list[Before]):
    """The calls gathered for after a turn; `ended` once the turn has taken them (a task the
    turn started and that outlives it inherits the list, and then makes its calls at once)."""

    ended = False


_AFTER: ContextVar[_Later | None] = ContextVar("exitbot_after_turn", default=None)


def before_each(action: Before) -> Token[Before | None]:
    """Run `action` before every outbound call of this context, until `reset`."""
    return _BEFORE.set(action)


def reset(token: Token[Before | None]) -> None:
    """Undo `before_each`."""
    _BEFORE.reset(token)


async def before_call() -> None:
    """Called by an outbound client before it asks for a token or sends a request."""
    action = _BEFORE.get()
    if action is not None:
        await action()


def collect_after() -> Token[_Later | None]:
    """From now on in this context, `after_turn` gathers its calls (for `gathered_after`)."""
    return _AFTER.set(_Later())


def gathered_after(token: Token[_Later | None]) -> list[Before]:
    """Stop gathering (undo `collect_after`); the calls gathered meanwhile."""
    gathered = _AFTER.get() or _Later()
    gathered.ended = True
    _AFTER.reset(token)
    return list(gathered)


async def after_turn(call: Before) -> None:
    """Make `call` after the turn's writes are committed (within a turn), else now."""
    gathered = _AFTER.get()
    if gathered is None or gathered.ended:
        await call()
    else:
        gathered.append(call)


async def run_after(calls: list[Before]) -> None:
    """Make the calls gathered for after a turn; one that fails does not stop the others."""
    for call in calls:
        try:
            await call()
        except Exception as exc:  # the turn's outcome stands
            log.warning("a call after the turn failed: %s", type(exc).__name__)
